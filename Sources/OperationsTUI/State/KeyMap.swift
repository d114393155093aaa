import EarthEngineOperations

/// What has the keyboard: each mode of the screen has its own bindings in the one key table.
public enum KeyContext: Sendable, Equatable, CaseIterable {
    case table, filterPrompt, cancelDialog, detail, help, failures, log, logSearch, columns
}

/// What a key does. Moving and paging mean the cursor in the table and the scroll in the detail view.
public enum Action: Sendable, Equatable, CaseIterable {
    case moveUp, moveDown, pageUp, pageDown, top, bottom, wheelUp, wheelDown
    case mark, markRange, markAll, clearMarks
    case cancel, details, filter, toggleActive
    /// The state filter: show or hide one state (``OperationState/selectable``, in order), or every state again.
    case toggleStatePending, toggleStateRunning, toggleStateCancelling, toggleStateSucceeded, toggleStateCancelled, toggleStateFailed
    case clearStates
    /// The failure groups: open the view; in it, show only the selected group, or mark it.
    case failures, showGroup, markGroup, closeFailures
    case sortByState, sortByAge, sortByDescription, sortByType, sortByEECU
    case refresh, pause, help, quit
    /// Esc in the table: clear the filter (text, states, failure group); once none is left, "active only".
    case clearFilters
    /// Copy the marked rows' (or the current row's) full names, or their destination URIs, to the clipboard.
    case copyNames, copyDestinations
    /// The session's event log: open it; in it, search, and close.
    case log, searchLog, closeLog
    /// The log's search prompt (a printable character is typed into it): keep the search, or clear it.
    case keepLogSearch, clearLogSearch, eraseLogSearchCharacter
    /// The named views: show the next one; open the column chooser, and in it show or hide a column, move it, close.
    case nextView, chooseColumns, toggleColumn, moveColumnUp, moveColumnDown, closeColumns
    /// The filter prompt (a printable character is typed into it; no binding needed).
    case keepFilter, clearFilter, eraseFilterCharacter
    /// The cancel dialog.
    case confirmCancel, abandonCancel, switchChoice, choose
    case closeDetail
    case closeHelp
}

/// One row of the key table.
public struct KeyBinding: Sendable {
    public var context: KeyContext
    /// The keys; none for a binding of every key (`anyKey`).
    public var keys: [Key]
    /// Every key not bound otherwise in the context does this.
    public var anyKey = false
    /// How the keys are written in the hints and the help.
    public var label: String
    public var action: Action
    public var summary: String
    /// The word shown in the context's hint line (the table's footer); nil for bindings only the help lists.
    public var hint: String?

    /// The first key's label, for the table's footer: "x" for "x/Del".
    public var footerKey: String { label.split(separator: "/").first.map(String.init) ?? label }
}

/// The key table: every binding of every mode, the built-in ``standard`` one or that with the config file's
/// remaps. The reducer takes actions from it and the view its hints and help, so the two never disagree.
public struct KeyMap: Sendable {
    public private(set) var all: [KeyBinding]

    /// The built-in bindings.
    public static let standard = KeyMap(all: standardBindings)

    /// The state each state-filter action shows or hides.
    public static func state(of action: Action) -> OperationState? {
        switch action {
        case .toggleStatePending: .pending
        case .toggleStateRunning: .running
        case .toggleStateCancelling: .cancelling
        case .toggleStateSucceeded: .succeeded
        case .toggleStateCancelled: .cancelled
        case .toggleStateFailed: .failed
        default: nil
        }
    }

    /// The bindings of a context in force (without cancel when read-only).
    public func bindings(_ context: KeyContext, readOnly: Bool) -> [KeyBinding] {
        all.filter { $0.context == context && !(readOnly && $0.action == .cancel) }
    }

    /// What `key` does in `context`, if anything.
    public func action(for key: Key, in context: KeyContext, readOnly: Bool) -> Action? {
        let bindings = bindings(context, readOnly: readOnly)
        return (bindings.first { $0.keys.contains(key) } ?? bindings.first { $0.anyKey })?.action
    }

    /// The hint line of a context other than the table (whose footer draws its keys in bold):
    /// "Enter keep · Esc clear".
    public func hints(_ context: KeyContext) -> String {
        bindings(context, readOnly: false).compactMap { binding in binding.hint.map { "\(binding.label) \($0)" } }.joined(separator: " · ")
    }

    /// One remap: the keys that now do `action` in `context`, instead of its built-in ones.
    public struct Remap: Sendable, Equatable {
        public var context: KeyContext
        public var action: Action
        public var keys: [Key]

        public init(context: KeyContext, action: Action, keys: [Key]) {
            self.context = context
            self.action = action
            self.keys = keys
        }
    }

    /// Why a remap cannot be applied.
    public enum RemapError: Error, Equatable, CustomStringConvertible {
        /// The context has no binding of this action.
        case unbound(KeyContext, Action)
        /// After the remaps, `key` does two things in `context`.
        case conflict(KeyContext, Key, Action, Action)
        /// A printable key in a prompt, where printable keys are typed.
        case typedInPrompt(KeyContext, Key)

        public var description: String {
            switch self {
            case .unbound(let context, let action): "\(context) has no action \(action)"
            case .conflict(let context, let key, let first, let second):
                "\(KeyMap.name(of: key)) would both \(first) and \(second) in \(context == .table ? "the table" : "\(context)")"
            case .typedInPrompt(let context, let key): "\(KeyMap.name(of: key)) is typed into the \(context == .filterPrompt ? "filter" : "search"), it cannot be bound there"
            }
        }
    }

    /// This table with `remaps` applied: each names the keys of one binding; the help and hints show them. Fails
    /// on the first remap of an action the context lacks, or that leaves a key doing two things in one context.
    public func remapped(_ remaps: [Remap]) throws(RemapError) -> KeyMap {
        var table = self
        for remap in remaps {
            guard let index = table.all.firstIndex(where: { $0.context == remap.context && $0.action == remap.action && !$0.anyKey }) else {
                throw .unbound(remap.context, remap.action)
            }
            if remap.context == .filterPrompt || remap.context == .logSearch, let typed = remap.keys.first(where: { if case .character = $0 { true } else { false } }) {
                throw .typedInPrompt(remap.context, typed)
            }
            table.all[index].keys = remap.keys
            table.all[index].label = remap.keys.map(KeyMap.name(of:)).joined(separator: "/")
        }
        for context in KeyContext.allCases {
            var owner: [Key: Action] = [:]
            for binding in table.all where binding.context == context {
                for key in binding.keys {
                    if let other = owner[key], other != binding.action { throw .conflict(context, key, other, binding.action) }
                    owner[key] = binding.action
                }
            }
        }
        return table
    }

    /// A key as the help and the config file write it: `x`, `Space`, `Esc`, `PgDn`, `↑`.
    public static func name(of key: Key) -> String {
        switch key {
        case .character(" "): "Space"
        case .character(let character): String(character)
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .tab: "Tab"
        case .click: "click"
        case .scrollUp: "wheel↑"
        case .scrollDown: "wheel↓"
        }
    }

    /// A key as the config file names it: one character, or a name in any case (`Space`, `Enter`, `Esc`,
    /// `Backspace`, `Delete`/`Del`, `Tab`, `Up`, `Down`, `Left`, `Right`, `PgUp`/`PageUp`, `PgDn`/`PageDown`,
    /// `Home`, `End`). Nil for anything else; control characters are never keys here.
    public static func key(named name: String) -> Key? {
        if name.count == 1, let character = name.first, !character.isNewline, character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
            return .character(character)
        }
        switch name.lowercased() {
        case "space": return .character(" ")
        case "enter", "return": return .enter
        case "esc", "escape": return .escape
        case "backspace": return .backspace
        case "delete", "del": return .delete
        case "tab": return .tab
        case "up": return .up
        case "down": return .down
        case "left": return .left
        case "right": return .right
        case "pgup", "pageup": return .pageUp
        case "pgdn", "pagedown": return .pageDown
        case "home": return .home
        case "end": return .end
        default: return nil
        }
    }

    static let standardBindings: [KeyBinding] = [
        KeyBinding(context: .table, keys: [.up, .character("k")], label: "↑/k", action: .moveUp, summary: "move up"),
        KeyBinding(context: .table, keys: [.down, .character("j")], label: "↓/j", action: .moveDown, summary: "move down"),
        KeyBinding(context: .table, keys: [.pageUp], label: "PgUp", action: .pageUp, summary: "page up"),
        KeyBinding(context: .table, keys: [.pageDown], label: "PgDn", action: .pageDown, summary: "page down"),
        KeyBinding(context: .table, keys: [.character("g"), .home], label: "g/Home", action: .top, summary: "first row"),
        KeyBinding(context: .table, keys: [.character("G"), .end], label: "G/End", action: .bottom, summary: "last row"),
        KeyBinding(context: .table, keys: [.scrollUp], label: "wheel↑", action: .wheelUp, summary: "move up three rows (--mouse)"),
        KeyBinding(context: .table, keys: [.scrollDown], label: "wheel↓", action: .wheelDown, summary: "move down three rows (--mouse)"),
        KeyBinding(context: .table, keys: [.character(" ")], label: "Space", action: .mark, summary: "mark or unmark the row and move down", hint: "mark"),
        KeyBinding(context: .table, keys: [.character("v")], label: "v", action: .markRange, summary: "mark every row from the last marked one to the cursor"),
        KeyBinding(context: .table, keys: [.character("*")], label: "*", action: .markAll, summary: "mark all visible rows"),
        KeyBinding(context: .table, keys: [.character("u")], label: "u", action: .clearMarks, summary: "clear all marks"),
        KeyBinding(context: .table, keys: [.character("x"), .delete], label: "x/Del", action: .cancel, summary: "cancel the marked rows (or the current one), after confirmation", hint: "cancel"),
        KeyBinding(context: .table, keys: [.enter], label: "Enter", action: .details, summary: "details of the operation", hint: "details"),
        KeyBinding(context: .table, keys: [.character("/")], label: "/", action: .filter, summary: "filter as you type (text or regex); Enter keeps, Esc clears", hint: "filter"),
        KeyBinding(context: .table, keys: [.character("a")], label: "a", action: .toggleActive, summary: "show only active operations (PENDING, RUNNING, CANCELLING)", hint: "active"),
        KeyBinding(context: .table, keys: [.character("1")], label: "1", action: .toggleStatePending, summary: "show PENDING (with the other states chosen; again: not)"),
        KeyBinding(context: .table, keys: [.character("2")], label: "2", action: .toggleStateRunning, summary: "show RUNNING (likewise)"),
        KeyBinding(context: .table, keys: [.character("3")], label: "3", action: .toggleStateCancelling, summary: "show CANCELLING (likewise)"),
        KeyBinding(context: .table, keys: [.character("4")], label: "4", action: .toggleStateSucceeded, summary: "show SUCCEEDED (likewise)"),
        KeyBinding(context: .table, keys: [.character("5")], label: "5", action: .toggleStateCancelled, summary: "show CANCELLED (likewise)"),
        KeyBinding(context: .table, keys: [.character("6")], label: "6", action: .toggleStateFailed, summary: "show FAILED (likewise)"),
        KeyBinding(context: .table, keys: [.character("0")], label: "0", action: .clearStates, summary: "show every state and failure group again"),
        KeyBinding(context: .table, keys: [.character("f")], label: "f", action: .failures, summary: "the failed operations grouped by error (Enter shows a group, m marks it)"),
        KeyBinding(context: .table, keys: [.character("S")], label: "S", action: .sortByState, summary: "sort by state (again: reverse)"),
        KeyBinding(context: .table, keys: [.character("A")], label: "A", action: .sortByAge, summary: "sort by age (again: reverse)"),
        KeyBinding(context: .table, keys: [.character("D")], label: "D", action: .sortByDescription, summary: "sort by description (again: reverse)"),
        KeyBinding(context: .table, keys: [.character("T")], label: "T", action: .sortByType, summary: "sort by type (again: reverse)"),
        KeyBinding(context: .table, keys: [.character("E")], label: "E", action: .sortByEECU, summary: "sort by EECU-seconds (again: reverse)"),
        KeyBinding(context: .table, keys: [.character("r")], label: "r", action: .refresh, summary: "refresh now"),
        KeyBinding(context: .table, keys: [.character("p")], label: "p", action: .pause, summary: "pause or resume live updates", hint: "pause"),
        KeyBinding(context: .table, keys: [.character("c")], label: "c", action: .copyNames, summary: "copy the full names of the marked rows (or the current one)"),
        KeyBinding(context: .table, keys: [.character("C")], label: "C", action: .copyDestinations, summary: "copy their destination URIs"),
        KeyBinding(context: .table, keys: [.character("V")], label: "V", action: .nextView, summary: "the next named view (its filter, states, sort and columns)"),
        KeyBinding(context: .table, keys: [.character("o")], label: "o", action: .chooseColumns, summary: "choose and order the view's columns"),
        KeyBinding(context: .table, keys: [.character("L")], label: "L", action: .log, summary: "the session's events, cancels and errors (/ searches)"),
        KeyBinding(context: .table, keys: [.escape], label: "Esc", action: .clearFilters, summary: "clear the filter; again: turn off active only (keeps the marks)"),
        KeyBinding(context: .table, keys: [.character("?")], label: "?", action: .help, summary: "this help", hint: "help"),
        KeyBinding(context: .table, keys: [.character("q")], label: "q", action: .quit, summary: "quit (Esc never quits)", hint: "quit"),

        KeyBinding(context: .filterPrompt, keys: [.enter], label: "Enter", action: .keepFilter, summary: "keep the filter", hint: "keep"),
        KeyBinding(context: .filterPrompt, keys: [.escape], label: "Esc", action: .clearFilter, summary: "clear the filter", hint: "clear"),
        KeyBinding(context: .filterPrompt, keys: [.backspace, .delete], label: "Backspace", action: .eraseFilterCharacter, summary: "erase the last character"),

        KeyBinding(context: .cancelDialog, keys: [.character("y"), .character("Y")], label: "y", action: .confirmCancel, summary: "send the cancels", hint: "yes"),
        KeyBinding(context: .cancelDialog, keys: [.character("n"), .character("N"), .escape, .character("q")], label: "n/Esc", action: .abandonCancel, summary: "send nothing", hint: "no"),
        KeyBinding(context: .cancelDialog, keys: [.tab, .left, .right, .character("h"), .character("l")], label: "Tab", action: .switchChoice, summary: "move between No and Yes", hint: "switch"),
        KeyBinding(context: .cancelDialog, keys: [.enter], label: "Enter", action: .choose, summary: "choose the focused button", hint: "choose"),

        KeyBinding(context: .detail, keys: [.down, .character("j"), .scrollDown], label: "↓/j", action: .moveDown, summary: "scroll down", hint: "scroll"),
        KeyBinding(context: .detail, keys: [.up, .character("k"), .scrollUp], label: "↑/k", action: .moveUp, summary: "scroll up"),
        KeyBinding(context: .detail, keys: [.pageDown], label: "PgDn", action: .pageDown, summary: "scroll a page down"),
        KeyBinding(context: .detail, keys: [.pageUp], label: "PgUp", action: .pageUp, summary: "scroll a page up"),
        KeyBinding(context: .detail, keys: [.escape, .enter, .character("q"), .backspace], label: "Esc/Enter/q", action: .closeDetail, summary: "back to the table", hint: "back"),

        KeyBinding(context: .failures, keys: [.down, .character("j")], label: "↓/j", action: .moveDown, summary: "next group", hint: "move"),
        KeyBinding(context: .failures, keys: [.up, .character("k")], label: "↑/k", action: .moveUp, summary: "previous group"),
        KeyBinding(context: .failures, keys: [.enter], label: "Enter", action: .showGroup, summary: "show only the group's operations (0 shows all again)", hint: "show"),
        KeyBinding(context: .failures, keys: [.character("m")], label: "m", action: .markGroup, summary: "mark the group's operations", hint: "mark"),
        KeyBinding(context: .failures, keys: [.escape, .character("q"), .character("f")], label: "Esc/q", action: .closeFailures, summary: "back to the table", hint: "back"),

        KeyBinding(context: .log, keys: [.down, .character("j"), .scrollDown], label: "↓/j", action: .moveDown, summary: "scroll down (towards the newest)", hint: "scroll"),
        KeyBinding(context: .log, keys: [.up, .character("k"), .scrollUp], label: "↑/k", action: .moveUp, summary: "scroll up"),
        KeyBinding(context: .log, keys: [.pageDown], label: "PgDn", action: .pageDown, summary: "a page down"),
        KeyBinding(context: .log, keys: [.pageUp], label: "PgUp", action: .pageUp, summary: "a page up"),
        KeyBinding(context: .log, keys: [.character("/")], label: "/", action: .searchLog, summary: "show only the events holding a text", hint: "search"),
        KeyBinding(context: .log, keys: [.escape, .character("q"), .character("L")], label: "Esc/q", action: .closeLog, summary: "back to the table (Esc clears a search first)", hint: "back"),

        KeyBinding(context: .logSearch, keys: [.enter], label: "Enter", action: .keepLogSearch, summary: "keep the search", hint: "keep"),
        KeyBinding(context: .logSearch, keys: [.escape], label: "Esc", action: .clearLogSearch, summary: "clear the search", hint: "clear"),
        KeyBinding(context: .logSearch, keys: [.backspace, .delete], label: "Backspace", action: .eraseLogSearchCharacter, summary: "erase the last character"),

        KeyBinding(context: .columns, keys: [.down, .character("j")], label: "↓/j", action: .moveDown, summary: "next column", hint: "move"),
        KeyBinding(context: .columns, keys: [.up, .character("k")], label: "↑/k", action: .moveUp, summary: "previous column"),
        KeyBinding(context: .columns, keys: [.character(" ")], label: "Space", action: .toggleColumn, summary: "show or hide the column", hint: "show/hide"),
        KeyBinding(context: .columns, keys: [.character("K")], label: "K", action: .moveColumnUp, summary: "move the column left (up the list)", hint: "left"),
        KeyBinding(context: .columns, keys: [.character("J")], label: "J", action: .moveColumnDown, summary: "move the column right (down the list)", hint: "right"),
        KeyBinding(context: .columns, keys: [.escape, .enter, .character("q"), .character("o")], label: "Esc/Enter", action: .closeColumns, summary: "back to the table", hint: "back"),

        KeyBinding(context: .help, keys: [], anyKey: true, label: "any key", action: .closeHelp, summary: "close this help", hint: "closes this help"),
    ]
}
