import EarthEngineOperations
import Foundation

/// Everything the TUI shows, as a plain value: the reducer changes it, the view draws it.
/// Rows, the cursor and the marks are kept by operation name, so refreshes, sorting and filtering never
/// move them to another operation.
public struct AppState: Sendable {
    /// Fixed for a run.
    public struct Settings: Sendable {
        /// The projects shown, in the order given: one table for all, with a project column when there are several.
        public var projects: [String]
        public var endpoint: String
        public var apiVersion: String
        /// Where the credentials come from (never the token).
        public var authSource: String
        public var readOnly = false
        public var ascii = false
        /// How long a changed row stays highlighted.
        public var highlightSeconds: Double = 5
        /// The EECU budget guard (`--eecu-limit`): rows past the limit are flagged; with `cancelsOverLimit`, and
        /// once the user agreed at start, the active ones are cancelled.
        public var budget: EECUBudget?
        /// Whether the operations the server sends are kept in the local history (``Effect/remember(_:)``).
        public var recordsHistory = false
        /// Whether the end of a marked or cancelled row is announced (`--notify`, ``Effect/notify(_:)``).
        public var notifiesEndings = false
        /// The key table: the built-in one, or with the config file's remaps.
        public var keys = KeyMap.standard
        /// The config file's plugins: each a key of the table that runs a command over the chosen rows.
        public var plugins: [Plugin] = []

        /// Whether the table holds several projects' operations.
        public var hasSeveralProjects: Bool { projects.count > 1 }
        /// The named views that the view key cycles through (``NamedView/cycle(_:)``), and the one opened first.
        public var views: [NamedView] = [.all]
        public var startView = NamedView.all.name

        public init(projects: [String], endpoint: String, apiVersion: String, authSource: String) {
            self.projects = projects
            self.endpoint = endpoint
            self.apiVersion = apiVersion
            self.authSource = authSource
        }
    }

    /// What has the keyboard.
    public enum Mode: Sendable, Equatable {
        case table
        /// Typing a filter: the table filters as you type; Enter keeps the filter, Esc clears it.
        case filtering
        case confirmCancel(CancelConfirmation)
        /// At start, under `--cancel-over-limit`: may the guard cancel operations past the limit? Focus starts
        /// on "No".
        case confirmGuard(yesFocused: Bool)
        /// A plugin with `confirm: true` asks before it runs.
        case confirmPlugin(Plugin.Run, yesFocused: Bool)
        case detail(name: String, scroll: Int)
        case help
        /// The failure groups (``AppState/failureGroups``), one selected.
        case failures(selected: Int)
        /// The session's event log (``AppState/log``).
        case log(LogView)
        /// The column chooser of the current view.
        case columns(ColumnChooser)

        /// Whose bindings of the key table are in force.
        public var keyContext: KeyContext {
            switch self {
            case .table: .table
            case .filtering: .filterPrompt
            case .confirmCancel, .confirmGuard, .confirmPlugin: .cancelDialog
            case .detail: .detail
            case .help: .help
            case .failures: .failures
            case .log(let view): view.typing ? .logSearch : .log
            case .columns: .columns
            }
        }
    }

    /// How the event log is shown: scrolled `scroll` lines up from the newest event, only the events holding
    /// `search` (case-insensitively), and whether the search is being typed.
    public struct LogView: Sendable, Equatable {
        public var scroll = 0
        public var search = ""
        public var typing = false
    }

    /// The state of the cancel confirmation dialog.
    public struct CancelConfirmation: Sendable, Equatable {
        /// Operations that will be sent a cancel.
        public var names: [String]
        /// Chosen operations that are already done.
        public var notCancellable: Int
        /// Marked operations the current filter hides (they are included).
        public var hiddenMarks: Int
        /// Focus starts on "No".
        public var yesFocused = false
    }

    /// How the table is ordered.
    public enum SortKey: String, Sendable, CaseIterable { case age, state, description, type, eecu }

    /// A state change seen this session, highlighted for a few seconds.
    public struct RowChange: Sendable, Equatable {
        public var from: OperationState?
        public var to: OperationState?
        public var at: Date
    }

    /// One line of the event log.
    public struct LogEntry: Sendable, Equatable {
        public enum Severity: Sendable { case info, warning, error }
        public var at: Date
        public var text: String
        public var severity: Severity
    }

    /// Whether the data is fresh.
    public struct Freshness: Sendable, Equatable {
        public var lastSuccess: Date?
        public var failure: Failure?
        public var loading = true
        public var interval: Double?
        public var stretched = false
        /// Seconds the server's clock is ahead of this machine's (negative: behind); 0 when they agree.
        public var clockSkew: Double = 0

        public struct Failure: Sendable, Equatable {
            /// The project whose refresh failed, when there are several (another's success does not clear it).
            public var project: String?
            public var message: String
            /// When the refreshes began to fail.
            public var since: Date
            /// Since when the project's rows are not current: its last success, else `since`.
            public var staleSince: Date
            public var retryAt: Date
        }
    }

    public var settings: Settings
    public var size: TerminalSize
    public var now: Date

    /// The operations in the server's order (newest first), with what filtering and sorting read of each: the
    /// state's one copy of them, changed through `Reducer.store`.
    package internal(set) var tableRows = TableRows()
    /// Names shown, after the filter and the sort.
    public internal(set) var visible: [String] = []
    public internal(set) var stateCounts: [OperationState: Int] = [:]
    /// With several projects: each one's active operations and all its operations (the header's counts).
    public internal(set) var projectCounts: [String: (active: Int, total: Int)] = [:]
    /// The projects whose first listing has ended: the table is loading until every one has.
    public internal(set) var listedProjects: Set<String> = []
    /// Each project's failing refresh, last success and pace, which ``freshness`` sums up for the header.
    var projectFailures: [String: Freshness.Failure] = [:]
    var projectLastSuccess: [String: Date] = [:]
    var projectSchedules: [String: PollSchedule] = [:]

    public internal(set) var cursor: String?
    /// Where `cursor` was last placed or found among `visible`; `position(of:)` looks there first.
    var cursorIndexHint = 0
    public internal(set) var marks: Set<String> = []
    var markAnchor: String?
    /// Index of the first visible row on screen.
    public internal(set) var scrollOffset = 0

    public internal(set) var filterText = ""
    public internal(set) var activeOnly = false
    /// The failure groups of the table's FAILED rows, as the failures view last computed them.
    public internal(set) var failureGroups: [FailureGroup] = []
    /// Only the rows of this failure group (Enter in the failures view; 0 clears).
    public internal(set) var groupFilter: FailureGroup? {
        didSet { groupFilterNames = groupFilter.map { Set($0.names) } }
    }
    /// The names of ``groupFilter``, as the filter reads them.
    private(set) var groupFilterNames: Set<String>?
    /// Only rows in these states (keys 1 to 6 toggle them, 0 clears); empty for every state.
    public internal(set) var stateFilter: Set<OperationState> = []
    /// The EECU-seconds of the visible rows, and of every row: the header's totals.
    public internal(set) var visibleEECU = 0.0
    public internal(set) var totalEECU = 0.0
    /// How many rows are past the budget guard's limit (``Settings/budget``).
    public internal(set) var overLimitCount = 0
    /// Whether the user agreed, at start, that the guard cancels operations past the limit.
    public internal(set) var guardArmed = false
    /// The session's views (their columns as the chooser left them) and which one is shown.
    public internal(set) var views: [NamedView]
    public internal(set) var viewIndex = 0
    public internal(set) var sortKey: SortKey = .age
    public internal(set) var sortAscending = false
    public internal(set) var mode: Mode = .table
    public internal(set) var paused = false

    public internal(set) var changes: [String: RowChange] = [:]
    /// States each operation was seen in, for operations that changed this session; one that has not is
    /// shown in its current state since the first listing.
    public internal(set) var history: [String: [(state: OperationState?, at: Date)]] = [:]
    /// When the first listing arrived.
    public internal(set) var firstListedAt: Date?
    /// Rows drawn from the local history that the first listing has not yet confirmed; those it does not list
    /// leave the table when it ends.
    public internal(set) var cachedNames: Set<String> = []
    /// While rows from the history are shown: the names of the first listing in the order its pages gave them,
    /// the order the table takes when the listing ends.
    var firstListingOrder: [String]?
    /// Cancels sent and not yet answered.
    public internal(set) var cancelsInFlight: Set<String> = []
    public internal(set) var cancels: [String: CancelOutcome] = [:]
    /// The session's events, oldest first (the last ``logLimit``): the event line shows the newest, `L` all.
    public internal(set) var log: [LogEntry] = []
    static let logLimit = 1_000
    /// Rows shown although the filter hides them: the user (or the guard) cancelled them and their end was seen
    /// moments ago, so that `CANCELLING → CANCELLED` can be read before they go (drawn dimmed).
    public internal(set) var tombstones: Set<String> = []
    /// The names whose destination URIs are being fetched for `C`, in the order they are to be copied.
    var destinationsToCopy: [String]?
    public internal(set) var freshness = Freshness()
    public internal(set) var quitRequested = false
    /// What the poller was last told the user sees (``Effect/focus(_:)``).
    public internal(set) var pollerFocus: Focus?
    /// The whole copy of the operation whose details are open, when the table keeps only its summary.
    public internal(set) var details: Details?

    /// The whole copy of one operation, fetched for its details (``Effect/fetchDetails(_:)``).
    public struct Details: Sendable, Equatable {
        public var name: String
        /// Nil until the answer comes.
        public var operation: LongRunningOperation?
        /// Why the fetch failed, if it did.
        public var failure: String?

        public init(name: String, operation: LongRunningOperation? = nil, failure: String? = nil) {
            self.name = name
            self.operation = operation
            self.failure = failure
        }
    }

    /// The operations the user sees or chose.
    public struct Focus: Sendable, Equatable {
        /// The rows on screen and the cursor's.
        public var shown: [String]
        public var marks: Set<String>

        public var names: Set<String> { marks.union(shown) }
    }

    /// What the user sees or chose now. Cheap to compare: the marks are shared with the state, not copied.
    public var focus: Focus {
        let start = min(scrollOffset, visible.count)
        var shown = Array(visible[start..<min(visible.count, start + tableHeight)])
        if let cursor, !shown.contains(cursor) { shown.append(cursor) }
        return Focus(shown: shown, marks: marks)
    }

    /// Opens on the guard's question when the guard may cancel (`--cancel-over-limit`), else on the table.
    public init(settings: Settings, size: TerminalSize, now: Date = Date()) {
        self.settings = settings
        self.size = size
        self.now = now
        views = settings.views.isEmpty ? [.all] : settings.views
        viewIndex = views.firstIndex { $0.name == settings.startView } ?? 0
        let view = views[viewIndex]
        filterText = view.filterText
        stateFilter = view.states
        activeOnly = view.activeOnly
        sortKey = view.sortKey
        sortAscending = view.ascending
        if settings.budget?.cancelsOverLimit == true, !settings.readOnly { mode = .confirmGuard(yesFocused: false) }
    }

    /// The projects as the dialogs name them: the one project, or "N projects".
    public var projectsLabel: String { Self.projectsLabel(settings.projects) }

    /// The projects of `names` as a dialog names them: the one project, or "N projects".
    public static func projectsLabel(of names: [String]) -> String {
        var projects: [String] = []
        for name in names { if let project = OperationName.project(of: name), !projects.contains(project) { projects.append(project) } }
        return projectsLabel(projects)
    }

    private static func projectsLabel(_ projects: [String]) -> String {
        projects.count > 1 ? "\(projects.count) projects" : projects.first ?? ""
    }

    /// The view shown.
    public var currentView: NamedView { views[viewIndex] }

    /// The operation of this name, if the table has its row.
    public func operation(named name: String) -> LongRunningOperation? { tableRows.operation(named: name) }

    /// How many operations the table holds, "(gone)" rows included.
    public var operationCount: Int { tableRows.count }

    /// The names in the table's order: the server's, newcomers first.
    public var serverOrder: [String] { tableRows.names }

    /// Whether the row is kept, marked "(gone)", after its operation left the listing.
    public func isGone(_ name: String) -> Bool {
        guard let change = changes[name] else { return false }
        return change.to == nil
    }

    /// Where the screen's regions lie at this size.
    public var layout: ScreenLayout { ScreenLayout(size: size) }

    /// Rows of operations that fit on screen.
    public var tableHeight: Int { layout.tableRows.count }

    /// Running and pending counts sampled over the session, oldest first: the header's sparklines.
    public internal(set) var activity: [ActivitySample] = []

    /// How many operations ran and waited at one moment of the session.
    public struct ActivitySample: Sendable, Equatable {
        public var at: Date
        public var running: Int
        public var pending: Int
    }

    /// Seconds between two samples of ``activity``, and how many are kept (the last ten minutes).
    static let activityInterval: TimeInterval = 10
    static let activityLimit = 60

    /// The EECU-seconds of the marked rows (computed when drawn: marks are few, as a rule).
    public var markedEECU: Double {
        marks.reduce(0) { sum, name in sum + (operation(named: name).flatMap(EECUTotals.seconds(of:)) ?? 0) }
    }

    /// Whether anything hides rows: the filter text, "active only" or the state filter.
    public var isFiltered: Bool { !filterText.isEmpty || activeOnly || !stateFilter.isEmpty || groupFilter != nil }

    /// The operation under the cursor.
    public var cursorOperation: LongRunningOperation? { cursor.flatMap(operation(named:)) }

    /// Where a name is among the visible rows: the cursor's remembered row when it holds the name, else a
    /// search (names are the same length, so each comparison reads the whole name).
    func position(of name: String) -> Int? {
        if cursorIndexHint < visible.count, visible[cursorIndexHint] == name { return cursorIndexHint }
        return visible.firstIndex(of: name)
    }

    /// Puts the cursor on visible row `index`.
    mutating func placeCursor(at index: Int) {
        cursor = visible[index]
        cursorIndexHint = index
    }
}

/// A terminal's size in character cells.
public struct TerminalSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// Below this, the TUI shows a "too small" message instead of the table.
    public static let minimum = TerminalSize(columns: 40, rows: 10)
    public var isTooSmall: Bool { columns < Self.minimum.columns || rows < Self.minimum.rows }
}
