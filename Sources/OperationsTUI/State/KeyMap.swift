/// What a key does in the table. The footer and the help overlay are generated from this one table.
public enum Action: Sendable, Equatable, CaseIterable {
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case mark, markRange, markAll, clearMarks
    case cancel, details, filter, toggleActive
    case sortByState, sortByAge, sortByDescription, sortByType, sortByEECU
    case refresh, pause, help, quit
}

/// One row of the key table.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    /// How the keys are written in the footer and help.
    public var label: String
    public var action: Action
    public var summary: String
    /// Shown in the footer (short form) as well as the help.
    public var footer: String?

    /// The first key's label, for the footer: "x" for "x/Del".
    public var footerKey: String { label.split(separator: "/").first.map(String.init) ?? label }
}

public enum KeyMap {
    /// The bindings in force (without cancel when read-only).
    public static func bindings(readOnly: Bool) -> [KeyBinding] {
        all.filter { !(readOnly && $0.action == .cancel) }
    }

    public static func action(for key: Key, readOnly: Bool) -> Action? {
        bindings(readOnly: readOnly).first { $0.keys.contains(key) }?.action
    }

    static let all: [KeyBinding] = [
        KeyBinding(keys: [.up, .character("k")], label: "↑/k", action: .moveUp, summary: "move up", footer: nil),
        KeyBinding(keys: [.down, .character("j")], label: "↓/j", action: .moveDown, summary: "move down", footer: nil),
        KeyBinding(keys: [.pageUp], label: "PgUp", action: .pageUp, summary: "page up", footer: nil),
        KeyBinding(keys: [.pageDown], label: "PgDn", action: .pageDown, summary: "page down", footer: nil),
        KeyBinding(keys: [.character("g"), .home], label: "g/Home", action: .top, summary: "first row", footer: nil),
        KeyBinding(keys: [.character("G"), .end], label: "G/End", action: .bottom, summary: "last row", footer: nil),
        KeyBinding(keys: [.character(" ")], label: "Space", action: .mark, summary: "mark or unmark the row and move down", footer: "mark"),
        KeyBinding(keys: [.character("v")], label: "v", action: .markRange, summary: "mark every row from the last marked one to the cursor", footer: nil),
        KeyBinding(keys: [.character("*")], label: "*", action: .markAll, summary: "mark all visible rows", footer: nil),
        KeyBinding(keys: [.character("u")], label: "u", action: .clearMarks, summary: "clear all marks", footer: nil),
        KeyBinding(keys: [.character("x"), .delete], label: "x/Del", action: .cancel, summary: "cancel the marked rows (or the current one), after confirmation", footer: "cancel"),
        KeyBinding(keys: [.enter], label: "Enter", action: .details, summary: "details of the operation", footer: "details"),
        KeyBinding(keys: [.character("/")], label: "/", action: .filter, summary: "filter as you type (text or regex over id, type, description); Enter keeps, Esc clears", footer: "filter"),
        KeyBinding(keys: [.character("a")], label: "a", action: .toggleActive, summary: "show only active operations (PENDING, RUNNING, CANCELLING)", footer: "active"),
        KeyBinding(keys: [.character("S")], label: "S", action: .sortByState, summary: "sort by state (again: reverse)", footer: nil),
        KeyBinding(keys: [.character("A")], label: "A", action: .sortByAge, summary: "sort by age (again: reverse)", footer: nil),
        KeyBinding(keys: [.character("D")], label: "D", action: .sortByDescription, summary: "sort by description (again: reverse)", footer: nil),
        KeyBinding(keys: [.character("T")], label: "T", action: .sortByType, summary: "sort by type (again: reverse)", footer: nil),
        KeyBinding(keys: [.character("E")], label: "E", action: .sortByEECU, summary: "sort by EECU-seconds (again: reverse)", footer: nil),
        KeyBinding(keys: [.character("r")], label: "r", action: .refresh, summary: "refresh now", footer: nil),
        KeyBinding(keys: [.character("p")], label: "p", action: .pause, summary: "pause or resume live updates", footer: "pause"),
        KeyBinding(keys: [.character("?")], label: "?", action: .help, summary: "this help", footer: "help"),
        KeyBinding(keys: [.character("q")], label: "q", action: .quit, summary: "quit (Esc never quits)", footer: "quit"),
    ]
}
