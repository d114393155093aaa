import EarthEngineOperations

/// A column of the TUI's table, named as the config file's `columns:` and the column chooser write it.
public enum TableColumn: String, Sendable, CaseIterable {
    /// The mark (`*`): always first, never chosen or hidden.
    case mark
    case project, id, type, state, cancel, progress, attempt, eecu, created, running, updated, description

    /// The columns a view may list, in the order of the built-in layout.
    public static let choosable: [TableColumn] = allCases.filter { $0 != .mark }

    /// What the column shows, for the column chooser.
    public var summary: String {
        switch self {
        case .mark: "the mark"
        case .project: "the project (shown by default with several)"
        case .id: "the operation id"
        case .type: "the task type"
        case .state: "the state, or its change"
        case .cancel: "what became of a cancel"
        case .progress: "the progress"
        case .attempt: "the attempt"
        case .eecu: "EECU-seconds used"
        case .created: "time since it was created"
        case .running: "time since it started running"
        case .updated: "time since its last update"
        case .description: "the description (takes the width left)"
        }
    }
}

/// A named view of the table (`views:` in the config file, `--view`, a key cycles them): which rows it shows
/// (a filter, states, active only), their order, and its columns. Choosing a view sets the filter, the state
/// filter, "active only" and the sort from it; the user may change them afterwards as in any view. Its columns,
/// which the column chooser changes, stay with the view for the session.
public struct NamedView: Sendable, Equatable {
    public var name: String
    public var filterText: String
    public var states: Set<OperationState>
    public var activeOnly: Bool
    public var sortKey: AppState.SortKey
    public var ascending: Bool
    /// The columns after the mark, in order; nil for those the width fits (the built-in choice).
    public var columns: [TableColumn]?

    public init(name: String, filterText: String = "", states: Set<OperationState> = [], activeOnly: Bool = false,
                sortKey: AppState.SortKey = .age, ascending: Bool? = nil, columns: [TableColumn]? = nil) {
        self.name = name
        self.filterText = filterText
        self.states = states
        self.activeOnly = activeOnly
        self.sortKey = sortKey
        self.ascending = ascending ?? Self.startsAscending(sortKey)
        self.columns = columns
    }

    /// The built-in view: every row, newest first, the columns the width fits.
    public static let all = NamedView(name: "all")

    /// A sort's first direction: by age and EECU, the largest first (newest, costliest); by state, the active ones
    /// first; by text, A to Z.
    public static func startsAscending(_ key: AppState.SortKey) -> Bool {
        key == .state || key == .description || key == .type
    }

    /// The views a session cycles through: `configured` in their order, after the built-in ``all`` unless one of
    /// them is named `all` (which then replaces it).
    public static func cycle(_ configured: [NamedView]) -> [NamedView] {
        configured.contains { $0.name == NamedView.all.name } ? configured : [.all] + configured
    }
}

/// The column chooser's list: every choosable column, those the view shows first in their order, with
/// whether each is shown. The reducer changes it; the view's columns are the shown ones, in this order.
public struct ColumnChooser: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var column: TableColumn
        public var shown: Bool
    }

    public var entries: [Entry]
    public var selected = 0

    /// The chooser for a view showing `shown` (in order).
    public init(shown: [TableColumn]) {
        let listed = shown.filter { $0 != .mark }
        entries = listed.map { Entry(column: $0, shown: true) }
            + TableColumn.choosable.filter { !listed.contains($0) }.map { Entry(column: $0, shown: false) }
    }

    /// The columns shown, in order.
    public var columns: [TableColumn] { entries.filter(\.shown).map(\.column) }

    /// Shows or hides the selected column.
    public mutating func toggle() {
        guard entries.indices.contains(selected) else { return }
        entries[selected].shown.toggle()
    }

    /// Moves the selected column one place up (`by: -1`) or down (`by: 1`); the selection follows it.
    public mutating func move(by offset: Int) {
        let target = selected + offset
        guard entries.indices.contains(selected), entries.indices.contains(target) else { return }
        entries.swapAt(selected, target)
        selected = target
    }

    /// Selects another column.
    public mutating func select(by offset: Int) {
        selected = min(max(0, selected + offset), max(0, entries.count - 1))
    }
}
