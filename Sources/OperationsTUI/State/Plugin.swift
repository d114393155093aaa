import EarthEngineOperations

/// A command the user added to the table's keys (the config file's `plugins:`, as k9s has them): it runs over the
/// marked rows, or the current one, with their full names as its last arguments and in its environment.
public struct Plugin: Sendable, Equatable {
    /// What the help and the event line call it.
    public var name: String
    public var key: Key
    /// The program and its first arguments; the chosen rows' full names follow them.
    public var command: [String]
    /// Ask first, in a dialog whose focus starts on No.
    public var confirm: Bool
    /// Run without leaving the screen, its output discarded, its exit status on the event line; otherwise the
    /// interface gives the terminal to the command and takes it back when the command ends.
    public var background: Bool

    public init(name: String, key: Key, command: [String], confirm: Bool = false, background: Bool = false) {
        self.name = name
        self.key = key
        self.command = command
        self.confirm = confirm
        self.background = background
    }

    /// One run: the plugin and the full names of the rows it runs over.
    public struct Run: Sendable, Equatable {
        public var plugin: Plugin
        public var names: [String]

        /// The command's arguments: the plugin's, then the names.
        public var arguments: [String] { plugin.command + names }

        /// The variables the command finds besides the interface's own environment: `EEOPS_NAMES`, `EEOPS_IDS`
        /// and `EEOPS_PROJECTS` (one a line, in the same order), `EEOPS_COUNT`, and `EEOPS_NAME`, `EEOPS_ID` and
        /// `EEOPS_PROJECT` for the first row.
        public var environment: [String: String] {
            let parsed = names.map { OperationName(validating: $0) }
            let ids = parsed.map { $0?.operationID ?? "" }
            let projects = parsed.map { $0?.project ?? "" }
            return [
                "EEOPS_NAMES": names.joined(separator: "\n"), "EEOPS_IDS": ids.joined(separator: "\n"),
                "EEOPS_PROJECTS": projects.joined(separator: "\n"), "EEOPS_COUNT": String(names.count),
                "EEOPS_NAME": names.first ?? "", "EEOPS_ID": ids.first ?? "", "EEOPS_PROJECT": projects.first ?? "",
            ]
        }
    }
}
