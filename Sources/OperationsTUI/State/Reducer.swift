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
        case .poller(let pollerEvent):
            apply(&state, pollerEvent, &effects)
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
        if context == .table, case .click(let row) = key {
            // A pointer event, not a key of the table: a click on a row that shows no operation (the header, the
            // headings, the footer) selects nothing.
            guard let offset = state.layout.tableRow(atScreenRow: row) else { return }
            let index = state.scrollOffset + offset
            if index < state.visible.count { state.placeCursor(at: index) }
            return
        }
        guard let action = KeyMap.action(for: key, in: context, readOnly: state.settings.readOnly) else {
            switch context {
            case .filterPrompt:
                if case .character(let character) = key, !character.isNewline {
                    state.filterText.append(character)
                    recomputeVisible(&state)
                }
            case .table:
                if state.settings.readOnly, KeyMap.action(for: key, in: .table, readOnly: false) == .cancel {
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
        case .detail(let name, let scroll): performInDetail(action, name: name, scroll: scroll, &state)
        case .help: state.mode = .table // its one binding, every key, closes it
        case .failures(let selected): performInFailures(action, selected: selected, &state)
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

    static func performInCancelDialog(_ action: Action, _ dialog: AppState.CancelConfirmation, _ state: inout AppState, _ effects: inout [Effect]) {
        switch action {
        case .confirmCancel:
            confirm(&state, dialog, &effects)
        case .abandonCancel:
            state.mode = .table
            recomputeVisible(&state) // the poller's updates were held back while the dialog was open
            log(&state, &effects, "cancel abandoned", .info)
        case .switchChoice:
            var dialog = dialog
            dialog.yesFocused.toggle()
            state.mode = .confirmCancel(dialog)
        case .choose:
            if dialog.yesFocused { confirm(&state, dialog, &effects); return }
            state.mode = .table
            recomputeVisible(&state)
        default:
            break
        }
    }

    /// The guard's question at start: Yes arms it (and it cancels what is past the limit already), No leaves it
    /// flagging only.
    static func performInGuardDialog(_ action: Action, yesFocused: Bool, _ state: inout AppState, _ effects: inout [Effect]) {
        switch action {
        case .confirmCancel: armGuard(&state, &effects)
        case .abandonCancel: declineGuard(&state, &effects)
        case .switchChoice: state.mode = .confirmGuard(yesFocused: !yesFocused)
        case .choose: if yesFocused { armGuard(&state, &effects) } else { declineGuard(&state, &effects) }
        default: break
        }
    }

    static func armGuard(_ state: inout AppState, _ effects: inout [Effect]) {
        guard let budget = state.settings.budget else { return }
        state.mode = .table
        state.guardArmed = true
        log(&state, &effects, "EECU guard armed: operations past \(OperationFormatting.eecuAmount(seconds: budget.limitSeconds)) are cancelled", .info)
        enforceBudget(&state, state.tableRows.operations, &effects)
    }

    static func declineGuard(_ state: inout AppState, _ effects: inout [Effect]) {
        state.mode = .table
        log(&state, &effects, "EECU guard not armed: operations past the limit are flagged, not cancelled", .warning)
    }

    /// The armed guard cancels the operations among `operations` that are past the limit and still waiting or
    /// running, unless a cancel of theirs was sent already (by the user or the guard); rows from the history are
    /// left alone until the server lists them. Audited as the user's cancels are.
    static func enforceBudget(_ state: inout AppState, _ operations: [LongRunningOperation], _ effects: inout [Effect]) {
        guard state.guardArmed, let budget = state.settings.budget else { return }
        let due = operations.filter { operation in
            budget.shouldCancel(operation) && !state.cachedNames.contains(operation.name) && !state.isGone(operation.name)
                && state.cancels[operation.name] == nil && !state.cancelsInFlight.contains(operation.name)
        }
        let names = due.compactMap { OperationName(validating: $0.name) }
        guard !names.isEmpty else { return }
        for name in names { state.cancelsInFlight.insert(name.description) }
        log(&state, &effects, "EECU guard: cancel sent for \(names.count) operation\(names.count == 1 ? "" : "s") past \(OperationFormatting.eecuAmount(seconds: budget.limitSeconds))", .warning)
        effects.append(.audit(names.map { AuditEntry(action: .cancel, stage: .requested, name: $0.description, tool: auditTool) }))
        effects.append(.cancel(names))
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
            state.sortAscending = key == .state || key == .description || key == .type
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

    // MARK: - Cancel

    static func openCancelDialog(_ state: inout AppState) {
        let chosen: [String]
        var hiddenMarks = 0
        if state.marks.isEmpty {
            guard let cursor = state.cursor else { return }
            chosen = [cursor]
        } else {
            // Marked rows in table order first, then marked rows the filter hides.
            let visibleMarked = state.visible.filter { state.marks.contains($0) }
            let hidden = state.marks.subtracting(visibleMarked).filter(state.tableRows.contains).sorted()
            chosen = visibleMarked + hidden
            hiddenMarks = hidden.count
        }
        let cancellable = chosen.filter { !state.isGone($0) && state.operation(named: $0)?.state.isCancellable ?? false }
        state.mode = .confirmCancel(AppState.CancelConfirmation(
            names: cancellable, notCancellable: chosen.count - cancellable.count, hiddenMarks: hiddenMarks
        ))
    }

    /// The user confirmed: each request is audited as `requested` before it is sent (the app performs the effects
    /// in order, and sends nothing once the log cannot be written).
    static func confirm(_ state: inout AppState, _ dialog: AppState.CancelConfirmation, _ effects: inout [Effect]) {
        state.mode = .table
        recomputeVisible(&state)
        let names = dialog.names.compactMap { OperationName(validating: $0) }
        guard !names.isEmpty else {
            log(&state, &effects, "nothing to cancel: the chosen operations are already done", .warning)
            return
        }
        for name in names {
            state.cancelsInFlight.insert(name.description)
            state.cancels.removeValue(forKey: name.description)
        }
        state.marks.subtract(names.map(\.description))
        log(&state, &effects, "cancel sent for \(names.count) operation\(names.count == 1 ? "" : "s")", .info)
        effects.append(.audit(names.map { AuditEntry(action: .cancel, stage: .requested, name: $0.description, tool: auditTool) }))
        effects.append(.cancel(names))
    }

    /// The server answered a cancel (its answer is audited where the request was sent). When the poller has already
    /// seen the operation end, that end is its final outcome, and is audited here.
    static func answerCancel(_ state: inout AppState, name: String, outcome: CancelOutcome, _ effects: inout [Effect]) {
        state.cancelsInFlight.remove(name)
        var final = outcome
        // The poller may already have seen the operation react.
        if outcome == .requested, let current = state.operation(named: name)?.state, current.isTerminal || current == .cancelling {
            final = CancelOutcome.observed(current)
            if final.isFinal { effects.append(.audit([final.auditEntry(name: name, tool: auditTool)])) }
        }
        state.cancels[name] = final
        let id = OperationName(validating: name)?.operationID ?? name
        switch final {
        case .requested, .cancelling:
            log(&state, &effects, "cancel requested: \(id)", .info)
        case .failed, .notFound, .notSent:
            log(&state, &effects, "cancel of \(id): \(final.description)", .error)
        default:
            log(&state, &effects, "cancel of \(id): \(final.description)", .warning)
        }
        guard final == .requested || final == .cancelling, let operationName = OperationName(validating: name) else { return }
        effects.append(.track([operationName]))
    }

    // MARK: - Poller

    static func apply(_ state: inout AppState, _ event: PollerEvent, _ effects: inout [Effect]) {
        switch event {
        case .initialPage(let operations):
            if state.firstListingOrder != nil {
                state.firstListingOrder?.append(contentsOf: operations.map(\.name))
                state.cachedNames.subtract(operations.map(\.name))
            }
            store(&state, operations, newcomersFirst: false)
            if state.settings.recordsHistory { effects.append(.remember(operations)) }
            enforceBudget(&state, operations, &effects)
            state.firstListedAt = state.firstListedAt ?? state.now
            recount(&state)
            recomputeVisible(&state)
        case .refreshed(let operations, let transitions, let at):
            store(&state, operations, newcomersFirst: true)
            // The history takes what appeared or changed state; progress and EECU that move at every refresh are
            // written with the next change of state, and for the active rows when the session ends.
            let changed = transitions.compactMap { $0.to == nil ? nil : $0.operation }
            if state.settings.recordsHistory, !changed.isEmpty { effects.append(.remember(changed)) }
            if case .detail(let name, _) = state.mode, operations.contains(where: { $0.name == name }) {
                fetchDetailsOfSummary(&state, &effects) // it changed: what was fetched is out of date
            }
            for departure in transitions where departure.to == nil { depart(&state, departure) }
            state.freshness.lastSuccess = max(state.freshness.lastSuccess ?? at, at)
            applyTransitions(&state, transitions, &effects)
            enforceBudget(&state, operations, &effects)
            recount(&state)
            recomputeVisible(&state)
        case .listed(let order, let at):
            if let firstOrder = state.firstListingOrder {
                replaceCached(&state, order: order ?? firstOrder)
            } else if let order {
                reorder(&state, order)
            }
            state.firstListedAt = state.firstListedAt ?? at
            state.freshness.loading = false
            state.freshness.lastSuccess = at
            state.freshness.failure = nil
            recount(&state)
            recomputeVisible(&state)
        case .upToDate(let at):
            state.freshness.loading = false
            state.freshness.lastSuccess = max(state.freshness.lastSuccess ?? at, at)
            state.freshness.failure = nil
        case .refreshFailed(let error, let at, let retryIn):
            let message = describe(error)
            let since = state.freshness.failure?.since ?? at
            state.freshness.failure = .init(message: message, since: since, retryAt: at.addingTimeInterval(retryIn.seconds))
            if state.log.last?.text != "refresh failed: \(message)" { log(&state, &effects, "refresh failed: \(message)", .error) }
        case .schedule(let schedule):
            state.freshness.interval = schedule.interval.seconds
            state.freshness.stretched = schedule.isStretched
        case .clockSkew(let seconds):
            state.freshness.clockSkew = seconds
            if seconds != 0 { log(&state, &effects, DurationText.clockSkewWarning(seconds: seconds), .warning) }
        }
    }

    /// Shows the history's rows before the first listing, when the table is still empty.
    static func showCached(_ state: inout AppState, _ operations: [LongRunningOperation]) {
        guard state.operationCount == 0, state.firstListedAt == nil, !operations.isEmpty else { return }
        state.tableRows.append(operations)
        state.cachedNames = Set(operations.map(\.name))
        state.firstListingOrder = []
        recount(&state)
        recomputeVisible(&state)
    }

    /// The first listing ended: the history's rows it did not list leave the table (and the marks), and the rest
    /// take the server's order.
    static func replaceCached(_ state: inout AppState, order: [String]) {
        state.tableRows.remove(state.cachedNames)
        state.marks.subtract(state.cachedNames)
        if let anchor = state.markAnchor, state.cachedNames.contains(anchor) { state.markAnchor = nil }
        state.cachedNames = []
        state.firstListingOrder = nil
        var seen = Set<String>()
        let listed = order.filter { state.tableRows.contains($0) && seen.insert($0).inserted }
        // Newcomers a refresh added during the first listing stay, first.
        state.tableRows.reorder(state.tableRows.names.filter { !seen.contains($0) } + listed)
    }

    /// Puts the rows in the server's order; rows that departed stay where they were, marked "(gone)", until their
    /// highlight ends.
    static func reorder(_ state: inout AppState, _ order: [String]) {
        let gone = state.serverOrder.enumerated().filter { state.isGone($0.element) } // in their old order
        var next = order.filter { state.tableRows.contains($0) && !state.isGone($0) }
        for (position, name) in gone { next.insert(name, at: min(next.count, position)) }
        state.tableRows.reorder(next)
    }

    /// A row whose operation left the listing stays, marked "(gone)", until its highlight ends (`.tick`); it is
    /// no longer marked, so no cancel is sent for it.
    static func depart(_ state: inout AppState, _ departure: StateTransition) {
        state.marks.remove(departure.name)
    }

    /// Adds or replaces operations, updating their table rows in place; newcomers go first in server order (the
    /// newest, in the order given) or last (pages of the first listing).
    /// A row kept as "(gone)" whose operation comes back is a newcomer again, as the poller counts it.
    static func store(_ state: inout AppState, _ operations: [LongRunningOperation], newcomersFirst: Bool) {
        var newcomers: [LongRunningOperation] = []
        var returning: Set<String> = []
        for operation in operations {
            if state.isGone(operation.name) {
                state.changes.removeValue(forKey: operation.name)
                returning.insert(operation.name)
                newcomers.append(operation)
            } else if !state.tableRows.update(operation) {
                newcomers.append(operation)
            }
        }
        guard !newcomers.isEmpty else { return }
        state.tableRows.remove(returning)
        if newcomersFirst { state.tableRows.insertFirst(newcomers) } else { state.tableRows.append(newcomers) }
    }

    /// Records each transition; a cancelled operation's observed end is its final outcome, audited here.
    static func applyTransitions(_ state: inout AppState, _ transitions: [StateTransition], _ effects: inout [Effect]) {
        for transition in transitions {
            state.changes[transition.name] = AppState.RowChange(from: transition.from, to: transition.to, at: transition.seenAt)
            if state.history[transition.name] == nil, let from = transition.from {
                recordHistory(&state, transition.name, from, at: state.firstListedAt ?? transition.seenAt)
            }
            recordHistory(&state, transition.name, transition.to, at: transition.seenAt)
            if state.settings.notifiesEndings, let to = transition.to, to.isTerminal,
               state.marks.contains(transition.name) || state.cancels[transition.name] != nil || state.cancelsInFlight.contains(transition.name) {
                effects.append(.notify(transition.operation))
            }
            guard let outcome = state.cancels[transition.name], !outcome.isFinal || outcome == .cancelled else { continue }
            let id = transition.operation.shortID
            if let to = transition.to {
                let observed = CancelOutcome.observed(to)
                if observed != .requested, observed != outcome {
                    state.cancels[transition.name] = observed
                    log(&state, &effects, "\(id): \(observed.description)", observed == .cancelled || observed == .cancelling ? .info : .warning)
                    if observed.isFinal { effects.append(.audit([observed.auditEntry(name: transition.name, tool: auditTool)])) }
                }
            } else {
                state.cancels[transition.name] = .notFound
                log(&state, &effects, "\(id): disappeared after cancel", .warning)
                // Not the server's answer to the cancel (that is audited already): the operation left the listing.
                effects.append(.audit([AuditEntry(action: .cancel, stage: .final, name: transition.name,
                                                  outcome: "disappeared from the listing", tool: auditTool)]))
            }
        }
    }

    static func recordHistory(_ state: inout AppState, _ name: String, _ newState: OperationState?, at: Date) {
        var entries = state.history[name] ?? []
        if let last = entries.last, last.state == newState { return }
        entries.append((newState, at))
        if entries.count > 20 { entries.removeFirst(entries.count - 20) }
        state.history[name] = entries
    }

    /// Counts the rows per state for the header (rows marked "(gone)" do not count), from the table rows
    /// rather than the operations, which would cost a copy of each.
    /// Takes a sample of the running and pending counts once the first listing is in, one per
    /// ``AppState/activityInterval``, keeping the last ``AppState/activityLimit``.
    static func sampleActivity(_ state: inout AppState, at now: Date) {
        guard state.firstListedAt != nil, !state.freshness.loading else { return }
        if let last = state.activity.last, now.timeIntervalSince(last.at) < AppState.activityInterval { return }
        state.activity.append(AppState.ActivitySample(at: now, running: state.stateCounts[.running] ?? 0, pending: state.stateCounts[.pending] ?? 0))
        if state.activity.count > AppState.activityLimit { state.activity.removeFirst(state.activity.count - AppState.activityLimit) }
    }

    static func recount(_ state: inout AppState) {
        var byRank = [Int](repeating: 0, count: 8)
        for rank in state.tableRows.stateRanks { byRank[Int(rank)] += 1 }
        for (name, change) in state.changes where change.to == nil {
            if let departed = state.operation(named: name) { byRank[TableQuery.rank(departed.state)] -= 1 }
        }
        state.stateCounts = [.running: byRank[0], .cancelling: byRank[1], .pending: byRank[2], .failed: byRank[3],
                             .cancelled: byRank[4], .succeeded: byRank[5], .unspecified: byRank[6]]
        state.totalEECU = state.tableRows.totalEECU
        if let limit = state.settings.budget?.limitSeconds {
            state.overLimitCount = state.tableRows.eecu.count { $0 > limit && $0.isFinite }
        }
    }

    static func describe(_ error: OperationsError) -> String {
        switch error {
        case .api(let code, let status, _): "\(status) \(code.name) from server"
        case .unexpectedErrorBody(let status, _, let excerpt): "\(status) from server (\(excerpt.prefix(40)))"
        case .transport(let why): why
        default: error.description
        }
    }

    /// Shows `text` in the log line (the screen keeps the last 200 entries) and writes it to `--log-file`.
    static func log(_ state: inout AppState, _ effects: inout [Effect], _ text: String, _ severity: AppState.LogEntry.Severity) {
        let entry = AppState.LogEntry(at: state.now, text: text, severity: severity)
        state.log.append(entry)
        if state.log.count > 200 { state.log.removeFirst(state.log.count - 200) }
        effects.append(.diagnostic(entry))
    }

    // MARK: - Filter and sort

    /// Recomputes the visible rows; held back while the cancel dialog is open so the rows do not move under it.
    static func recomputeVisible(_ state: inout AppState) {
        if case .confirmCancel = state.mode { return }
        let result = TableQuery(filterText: state.filterText, activeOnly: state.activeOnly, states: state.stateFilter,
                                names: state.groupFilterNames, sortKey: state.sortKey, ascending: state.sortAscending)
            .apply(state.tableRows)
        state.visible = result.names
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
