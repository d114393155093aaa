import EarthEngineOperations
import Foundation
import OperationsPresentation

/// The reducer's cancels: the dialog, sending them (audited as `requested` first), their answers, and the EECU
/// guard that sends them for the rows past its limit.
extension Reducer {
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
}
