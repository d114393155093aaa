/// A column that the CLI's table, `watch` and the TUI show alike: its heading, width and alignment are defined
/// here once, and each layout picks the ones that fit its width.
public struct OperationColumn: Sendable, Equatable {
    public let title: String
    public let width: Int
    public let alignRight: Bool

    init(_ title: String, width: Int, alignRight: Bool = false) {
        self.title = title
        self.width = width
        self.alignRight = alignRight
    }

    /// The project of the operation's name (listings of several projects); this width holds the longest project id,
    /// and a table makes it as wide as the longest it shows.
    public static let project = OperationColumn("PROJECT", width: 30)
    /// The whole operation id (24 characters).
    public static let id = OperationColumn("ID", width: 24)
    /// The id's start, where the screen is narrow.
    public static let shortID = OperationColumn("ID", width: 10)
    public static let type = OperationColumn("TYPE", width: 17)
    /// The type's start, where the screen is narrow.
    public static let narrowType = OperationColumn("TYPE", width: 12)
    public static let state = OperationColumn("STATE", width: 10)
    /// A state or a change of state: `CANCELLING → CANCELLED`.
    public static let transition = OperationColumn("STATE", width: 22)
    public static let progress = OperationColumn("PROG", width: 4, alignRight: true)
    /// The creation time in UTC, `2026-11-23 10:04:05`.
    public static let createdAt = OperationColumn("CREATED (UTC)", width: 19)
    /// Takes the width that is left; this is its least.
    public static let description = OperationColumn("DESCRIPTION", width: 11)
}
