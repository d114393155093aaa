import EarthEngineOperations
import Foundation
import OperationsPresentation

/// Turns events into a new state and the effects the app must run. Pure: no I/O, no clock.
public enum Reducer {
    public static func reduce(_ state: inout AppState, _ event: AppEvent) -> [Effect] {
        var effects: [Effect] = []
        switch event {
        case .key(let key):
            handleKey(&state, key, &effects)
        case .poller(let pollerEvent, let project):
            apply(&state, pollerEvent, project: project ?? state.settings.projects.first ?? "", &effects)
        case .cachedRows(let operations):
            showCached(&state, operations)
        case .cancelAnswered(let name, let outcome):
            answerCancel(&state, name: name, outcome: outcome, &effects)
        case .auditFailed(let why):
            let text = "\(why): no more cancels are sent"
            if state.log.last?.text != text { log(&state, &effects, text, .error) }
        case .stopped(let sent):
            // Each cancel still without an answer is accounted for: sent and unanswered, or never sent.
            for name in state.cancelsInFlight.sorted() {
                let outcome = CancelOutcome.stopped(wasSent: sent.contains(name), because: "eeops stopped first")
                state.cancels[name] = outcome
                effects.append(.audit([outcome.auditEntry(name: name, tool: Self.auditTool)]))
            }
            state.cancelsInFlight.removeAll()
        case .destinationsFetched(let fetched):
            copyDestinations(&state, fetched: fetched, &effects)
        case .pluginFinished(let name, let result):
            pluginFinished(&state, name: name, result: result, &effects)
        case .detailsFetched(let name, let result):
            guard state.details?.name == name else { break } // the details were closed, or others opened
            switch result {
            case .success(let operation): state.details?.operation = operation
            case .failure(let error): state.details?.failure = describe(error)
            }
        case .resize(let size):
            state.size = size
            keepCursorVisible(&state)
        case .tick(let now):
            state.now = now
            sampleActivity(&state, at: now)
            let expired = state.changes.filter { now.timeIntervalSince($0.value.at) >= state.settings.highlightSeconds }
            guard !expired.isEmpty else { break }
            for (name, change) in expired {
                state.changes.removeValue(forKey: name)
                if change.to == nil { // a row marked "(gone)" leaves the table once its highlight ends
                    state.marks.remove(name)
                    if state.markAnchor == name { state.markAnchor = nil }
                }
            }
            state.tableRows.remove(Set(expired.filter { $0.value.to == nil }.keys))
            recount(&state)
            recomputeVisible(&state)
        case .terminate:
            quit(&state, &effects)
        }
        let focus = state.focus
        if focus != state.pollerFocus {
            state.pollerFocus = focus
            effects.append(.focus(focus.names))
        }
        return effects
    }

    /// The `tool` of the TUI's audit entries.
    static let auditTool = "tui"

    // MARK: - Keys

    static func handleKey(_ state: inout AppState, _ key: Key, _ effects: inout [Effect]) {
        let context = state.mode.keyContext
        if context == .table, let plugin = state.settings.plugins.first(where: { $0.key == key }) {
            startPlugin(plugin, &state, &effects)
            return
        }
        if context == .table, case .click(let row) = key {
            // A pointer event, not a key of the table: a click on a row that shows no operation (the header, the
            // headings, the footer) selects nothing.
            guard let offset = state.layout.tableRow(atScreenRow: row) else { return }
            let index = state.scrollOffset + offset
            if index < state.visible.count { state.placeCursor(at: index) }
            return
        }
        guard let action = state.settings.keys.action(for: key, in: context, readOnly: state.settings.readOnly) else {
            switch context {
            case .filterPrompt:
                if case .character(let character) = key, !character.isNewline {
                    state.filterText.append(character)
                    recomputeVisible(&state)
                }
            case .logSearch:
                if case .character(let character) = key, !character.isNewline, case .log(var view) = state.mode {
                    view.search.append(character)
                    view.scroll = 0
                    state.mode = .log(view)
                }
            case .table:
                if state.settings.readOnly, state.settings.keys.action(for: key, in: .table, readOnly: false) == .cancel {
                    log(&state, &effects, "read-only: cancelling is disabled", .warning)
                }
            default:
                break
            }
            return
        }
        switch state.mode {
        case .table: perform(action, &state, &effects)
        case .filtering: performInFilterPrompt(action, &state)
        case .confirmCancel(let dialog): performInCancelDialog(action, dialog, &state, &effects)
        case .confirmGuard(let yesFocused): performInGuardDialog(action, yesFocused: yesFocused, &state, &effects)
        case .confirmPlugin(let run, let yesFocused): performInPluginDialog(action, run, yesFocused: yesFocused, &state, &effects)
        case .detail(let name, let scroll): performInDetail(action, name: name, scroll: scroll, &state)
        case .help: state.mode = .table // its one binding, every key, closes it
        case .failures(let selected): performInFailures(action, selected: selected, &state)
        case .log(let view): performInLog(action, view, &state)
        case .columns(let chooser): performInColumns(action, chooser, &state)
        }
    }

    /// Runs an action of the table.
    static func perform(_ action: Action, _ state: inout AppState, _ effects: inout [Effect]) {
        switch action {
        case .moveUp: moveCursor(&state, by: -1)
        case .moveDown: moveCursor(&state, by: 1)
        case .pageUp: moveCursor(&state, by: -max(1, state.tableHeight - 1))
        case .pageDown: moveCursor(&state, by: max(1, state.tableHeight - 1))
        case .top: moveCursor(&state, to: 0)
        case .bottom: moveCursor(&state, to: state.visible.count - 1)
        case .wheelUp: moveCursor(&state, by: -3)
        case .wheelDown: moveCursor(&state, by: 3)
        case .mark:
            guard let cursor = state.cursor else { return }
            if state.marks.remove(cursor) == nil, !state.isGone(cursor) {
                state.marks.insert(cursor)
                state.markAnchor = cursor
            }
            moveCursor(&state, by: 1)
        case .markRange:
            guard let cursor = state.cursor, let here = state.position(of: cursor) else { return }
            let anchor = state.markAnchor.flatMap { state.position(of: $0) } ?? here
            for index in min(anchor, here)...max(anchor, here) where !state.isGone(state.visible[index]) { state.marks.insert(state.visible[index]) }
            state.markAnchor = cursor
        case .markAll:
            let markable = state.visible.filter { !state.isGone($0) }
            state.marks.formUnion(markable)
        case .clearMarks:
            state.marks.removeAll()
            state.markAnchor = nil
        case .cancel:
            openCancelDialog(&state)
        case .details:
            guard let cursor = state.cursor else { return }
            state.mode = .detail(name: cursor, scroll: 0)
            state.details = nil
            fetchDetailsOfSummary(&state, &effects)
        case .filter:
            state.mode = .filtering
        case .toggleActive:
            state.activeOnly.toggle()
            recomputeVisible(&state)
        case .toggleStatePending, .toggleStateRunning, .toggleStateCancelling, .toggleStateSucceeded, .toggleStateCancelled, .toggleStateFailed:
            guard let chosen = KeyMap.state(of: action) else { break }
            if state.stateFilter.remove(chosen) == nil { state.stateFilter.insert(chosen) }
            recomputeVisible(&state)
        case .clearStates:
            state.stateFilter = []
            state.groupFilter = nil
            recomputeVisible(&state)
        case .failures:
            state.failureGroups = FailureGroups.group(state.tableRows.operations)
            state.mode = .failures(selected: 0)
        case .sortByState: sort(&state, .state)
        case .sortByAge: sort(&state, .age)
        case .sortByDescription: sort(&state, .description)
        case .sortByType: sort(&state, .type)
        case .sortByEECU: sort(&state, .eecu)
        case .refresh:
            log(&state, &effects, "refreshing", .info)
            effects.append(.refreshNow)
        case .pause:
            state.paused.toggle()
            log(&state, &effects, state.paused ? "live updates paused (cancel outcomes still refresh)" : "live updates resumed", .info)
            effects.append(.setPaused(state.paused))
        case .help:
            state.mode = .help
        case .clearFilters:
            if !state.filterText.isEmpty || !state.stateFilter.isEmpty || state.groupFilter != nil {
                state.filterText = ""
                state.stateFilter = []
                state.groupFilter = nil
            } else if state.activeOnly {
                state.activeOnly = false
            } else {
                return
            }
            recomputeVisible(&state)
        case .copyNames:
            copy(&state, &effects, lines: chosenNames(state), what: "name")
        case .copyDestinations:
            let names = chosenNames(state)
            let summaries = names.filter { state.operation(named: $0)?.isSummary == true }.compactMap { OperationName(validating: $0) }
            if summaries.isEmpty {
                copyDestinations(&state, names: names, fetched: [:], &effects)
            } else {
                state.destinationsToCopy = names
                log(&state, &effects, "fetching the destinations of \(summaries.count) finished operation\(summaries.count == 1 ? "" : "s")…", .info)
                let known = names.compactMap { state.operation(named: $0) }.filter { !$0.isSummary }
                    .flatMap { $0.metadata?.destinationUris ?? [] }.reduce(0) { $0 + $1.utf8.count + 1 }
                effects.append(.fetchDestinations(summaries, knownBytes: known))
            }
        case .log:
            state.mode = .log(AppState.LogView())
        case .nextView:
            showNextView(&state, &effects)
        case .chooseColumns:
            openColumnChooser(&state)
        case .quit:
            quit(&state, &effects)
        default:
            break // the actions of the other contexts
        }
    }

    /// Ends the session; the history gets the active rows as last seen (their progress and EECU).
    static func quit(_ state: inout AppState, _ effects: inout [Effect]) {
        state.quitRequested = true
        if state.settings.recordsHistory {
            let active = state.tableRows.operations.filter { $0.state.isActive && !state.cachedNames.contains($0.name) }
            if !active.isEmpty { effects.append(.remember(active)) }
        }
        effects.append(.quit)
    }

    /// The failures view: move between groups, show one in the table, or mark its operations.
    static func performInFailures(_ action: Action, selected: Int, _ state: inout AppState) {
        let groups = state.failureGroups
        switch action {
        case .moveDown: state.mode = .failures(selected: min(selected + 1, max(0, groups.count - 1)))
        case .moveUp: state.mode = .failures(selected: max(0, selected - 1))
        case .showGroup:
            state.mode = .table
            guard groups.indices.contains(selected) else { break }
            state.groupFilter = groups[selected]
            recomputeVisible(&state)
        case .markGroup:
            state.mode = .table
            guard groups.indices.contains(selected) else { break }
            state.marks.formUnion(groups[selected].names.filter { state.tableRows.contains($0) })
        case .closeFailures:
            state.mode = .table
        default:
            break
        }
    }

    static func performInFilterPrompt(_ action: Action, _ state: inout AppState) {
        switch action {
        case .keepFilter:
            state.mode = .table
        case .clearFilter:
            state.filterText = ""
            state.mode = .table
            recomputeVisible(&state)
        case .eraseFilterCharacter:
            if !state.filterText.isEmpty { state.filterText.removeLast() }
            recomputeVisible(&state)
        default:
            break
        }
    }

    static func performInDetail(_ action: Action, name: String, scroll: Int, _ state: inout AppState) {
        let page = max(1, state.tableHeight)
        switch action {
        case .moveDown: state.mode = .detail(name: name, scroll: scroll + 1)
        case .moveUp: state.mode = .detail(name: name, scroll: max(0, scroll - 1))
        case .pageDown: state.mode = .detail(name: name, scroll: scroll + page)
        case .pageUp: state.mode = .detail(name: name, scroll: max(0, scroll - page))
        case .closeDetail:
            state.mode = .table
            state.details = nil
        default: break
        }
    }

    /// Asks for the whole operation whose details are open when the table keeps only its summary (a finished
    /// operation: ``LongRunningOperation/summarized()``); the view shows its details once the answer is in.
    static func fetchDetailsOfSummary(_ state: inout AppState, _ effects: inout [Effect]) {
        guard case .detail(let name, _) = state.mode, let operation = state.operation(named: name), operation.isSummary,
              let operationName = OperationName(validating: name) else { return }
        state.details = AppState.Details(name: name)
        effects.append(.fetchDetails(operationName))
    }

    static func sort(_ state: inout AppState, _ key: AppState.SortKey) {
        if state.sortKey == key {
            state.sortAscending.toggle()
        } else {
            state.sortKey = key
            state.sortAscending = NamedView.startsAscending(key)
        }
        recomputeVisible(&state)
    }

    // MARK: - Cursor

    static func moveCursor(_ state: inout AppState, by delta: Int) {
        let current = state.cursor.flatMap { state.position(of: $0) } ?? 0
        moveCursor(&state, to: current + delta)
    }

    static func moveCursor(_ state: inout AppState, to index: Int) {
        guard !state.visible.isEmpty else {
            state.cursor = nil
            return
        }
        state.placeCursor(at: min(max(0, index), state.visible.count - 1))
        keepCursorVisible(&state)
    }

    /// Scrolls so that the cursor row is on screen.
    static func keepCursorVisible(_ state: inout AppState) {
        let height = max(1, state.tableHeight)
        guard let cursor = state.cursor, let index = state.position(of: cursor) else {
            state.scrollOffset = min(state.scrollOffset, max(0, state.visible.count - height))
            return
        }
        if index < state.scrollOffset { state.scrollOffset = index }
        if index >= state.scrollOffset + height { state.scrollOffset = index - height + 1 }
        state.scrollOffset = max(0, min(state.scrollOffset, max(0, state.visible.count - height)))
    }

    static func describe(_ error: OperationsError) -> String {
        switch error {
        case .api(let code, let status, _): "\(status) \(code.name) from server"
        case .unexpectedErrorBody(let status, _, let excerpt): "\(status) from server (\(excerpt.prefix(40)))"
        case .transport(let why): why
        default: error.description
        }
    }

    /// Shows `text` in the event line and the log view (which keep the last ``AppState/logLimit`` entries) and
    /// writes it to `--log-file`.
    static func log(_ state: inout AppState, _ effects: inout [Effect], _ text: String, _ severity: AppState.LogEntry.Severity) {
        let entry = AppState.LogEntry(at: state.now, text: text, severity: severity)
        state.log.append(entry)
        if state.log.count > AppState.logLimit { state.log.removeFirst(state.log.count - AppState.logLimit) }
        effects.append(.diagnostic(entry))
    }

    // MARK: - Filter and sort

    /// Recomputes the visible rows; held back while the cancel dialog is open so the rows do not move under it.
    static func recomputeVisible(_ state: inout AppState) {
        if case .confirmCancel = state.mode { return }
        // Rows the user or the guard cancelled stay until their end has been on screen for the highlight's time.
        let highlight = state.settings.highlightSeconds
        let recentlyEnded = Set(state.changes.compactMap { name, change -> String? in
            guard let to = change.to, to.isTerminal, state.cancels[name] != nil, state.now.timeIntervalSince(change.at) < highlight else { return nil }
            return name
        })
        let result = TableQuery(filterText: state.filterText, activeOnly: state.activeOnly, states: state.stateFilter,
                                names: state.groupFilterNames, sortKey: state.sortKey, ascending: state.sortAscending, alwaysShown: recentlyEnded,
                                mergesProjects: state.settings.hasSeveralProjects)
            .apply(state.tableRows)
        state.visible = result.names
        state.tombstones = result.shownAnyway
        state.visibleEECU = result.eecuSeconds
        if let cursor = state.cursor, let index = state.position(of: cursor) {
            state.cursorIndexHint = index
        } else if state.visible.isEmpty {
            state.cursor = nil
        } else {
            // The cursor's operation left the view: stay at the same position.
            state.placeCursor(at: min(state.scrollOffset, state.visible.count - 1))
        }
        keepCursorVisible(&state)
    }
}
