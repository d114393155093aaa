/// What became of a cancel request: first the server's answer, then what the operation did.
///
/// Cancel is asynchronous and best effort: an accepted request makes the operation CANCELLING and then
/// CANCELLED, or the operation finishes anyway; some operations do not support it (UNIMPLEMENTED).
public enum CancelOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The server accepted the request; the operation has not yet been seen to react.
    case requested
    /// Accepted, and the operation is now CANCELLING.
    case cancelling
    /// The operation is CANCELLED.
    case cancelled
    /// The operation finished (SUCCEEDED or FAILED) although the cancel was accepted.
    case finishedDespiteCancel(OperationState)
    /// The operation was already done when the cancel arrived (FAILED_PRECONDITION); its state, if known.
    case alreadyDone(OperationState?)
    /// The server does not support cancelling this operation (UNIMPLEMENTED).
    case unsupported
    case notFound
    /// Any other error: the google.rpc code when there is one, and the message.
    case failed(code: RPCCode?, message: String)
    /// The request was never sent: eeops stopped first (interrupted, or the audit log could not be written).
    case notSent(String)
    /// The request was sent, and eeops stopped before its answer came.
    case unanswered

    /// True once nothing more will happen to this cancel.
    public var isFinal: Bool {
        switch self {
        case .requested, .cancelling: false
        default: true
        }
    }

    /// True when the server accepted the request.
    public var wasAccepted: Bool {
        switch self {
        case .requested, .cancelling, .cancelled, .finishedDespiteCancel: true
        default: false
        }
    }

    /// The outcome once the operation is seen in `state` after the server accepted the cancel.
    public static func observed(_ state: OperationState) -> CancelOutcome {
        switch state {
        case .cancelling: .cancelling
        case .cancelled: .cancelled
        case .succeeded, .failed: .finishedDespiteCancel(state)
        default: .requested
        }
    }

    /// The outcome of a cancel still unanswered when eeops stopped: sent and unanswered, or never sent.
    public static func stopped(wasSent: Bool, because reason: String) -> CancelOutcome {
        wasSent ? .unanswered : .notSent(reason)
    }

    /// The outcome of a cancel request that the server refused with `error`.
    public static func refused(_ error: OperationsError) -> CancelOutcome {
        switch error.rpcCode {
        case .unimplemented?: .unsupported
        case .notFound?: .notFound
        case .failedPrecondition?: .alreadyDone(nil)
        default: .failed(code: error.rpcCode, message: error.description)
        }
    }

    // The outcome's names, in one place: a stable code for scripts and summaries, a few words for a narrow
    // column, and a sentence for a line of its own.

    /// A stable machine-readable name: `requested`, `finished_despite_cancel`, `not_sent`, ...
    public var code: String {
        switch self {
        case .requested: "requested"
        case .cancelling: "cancelling"
        case .cancelled: "cancelled"
        case .finishedDespiteCancel: "finished_despite_cancel"
        case .alreadyDone: "already_done"
        case .unsupported: "unsupported"
        case .notFound: "not_found"
        case .failed: "failed"
        case .notSent: "not_sent"
        case .unanswered: "unanswered"
        }
    }

    /// The codes in the order summaries list them.
    public static let summaryOrder = ["requested", "cancelling", "cancelled", "finished_despite_cancel", "already_done", "unsupported",
                                      "not_found", "failed", "unanswered", "not_sent"]

    /// How many of `outcomes` ended each way, in summary order: `2 cancelled, 1 finished despite cancel`.
    public static func summary(_ outcomes: some Sequence<CancelOutcome>) -> String {
        var counts: [String: Int] = [:]
        for outcome in outcomes { counts[outcome.code, default: 0] += 1 }
        return summaryOrder.compactMap { code in counts[code].map { "\($0) \(code.replacingOccurrences(of: "_", with: " "))" } }
            .joined(separator: ", ")
    }

    /// A few words for a narrow column: "requested", "finished anyway", "error UNAVAILABLE", ...
    public var shortLabel: String {
        switch self {
        case .requested: "requested"
        case .cancelling: "cancelling"
        case .cancelled: "cancelled"
        case .finishedDespiteCancel: "finished anyway"
        case .alreadyDone: "already done"
        case .unsupported: "unsupported"
        case .notFound: "not found"
        case .failed(let code, _): "error \(code?.name ?? "")"
        case .notSent: "not sent"
        case .unanswered: "no answer"
        }
    }

    /// A label for a line of its own: "cancel requested", "CANCELLED", "finished despite cancel: SUCCEEDED", ...
    public var description: String {
        switch self {
        case .requested: "cancel requested"
        case .cancelling: "CANCELLING"
        case .cancelled: "CANCELLED"
        case .finishedDespiteCancel(let state): "finished despite cancel: \(state.apiValue)"
        case .alreadyDone(let state?): "already \(state.apiValue), not cancelled"
        case .alreadyDone(nil): "already done, not cancelled"
        case .unsupported: "cancel not supported (UNIMPLEMENTED)"
        case .notFound: "not found (NOT_FOUND)"
        case .failed(_, let message): "cancel failed: \(message)"
        case .notSent(let why): "not sent: \(why)"
        case .unanswered: "sent, no answer before eeops stopped; check it with eeops get"
        }
    }
}

extension CancelOutcome {
    /// The audit log's record of this outcome: `accepted`/`rejected` for the server's answer, `final` once
    /// nothing more will happen.
    public func auditEntry(name: String, tool: String) -> AuditEntry {
        switch self {
        case .requested, .cancelling:
            return AuditEntry(action: .cancel, stage: .accepted, name: name, outcome: description, tool: tool)
        case .cancelled, .finishedDespiteCancel:
            return AuditEntry(action: .cancel, stage: .final, name: name, outcome: description, tool: tool)
        case .alreadyDone:
            return AuditEntry(action: .cancel, stage: .rejected, name: name, code: RPCCode.failedPrecondition.name, outcome: description, tool: tool)
        case .unsupported:
            return AuditEntry(action: .cancel, stage: .rejected, name: name, code: RPCCode.unimplemented.name, outcome: description, tool: tool)
        case .notFound:
            return AuditEntry(action: .cancel, stage: .rejected, name: name, code: RPCCode.notFound.name, outcome: description, tool: tool)
        case .failed(let code, let message):
            return AuditEntry(action: .cancel, stage: .rejected, name: name, code: code?.name, outcome: "failed", message: message, tool: tool)
        case .notSent(let why):
            return AuditEntry(action: .cancel, stage: .notSent, name: name, outcome: "not sent", message: why, tool: tool)
        case .unanswered:
            return AuditEntry(action: .cancel, stage: .unanswered, name: name, outcome: "no answer before exit", tool: tool)
        }
    }
}

extension OperationsClient {
    /// Sends a cancel and classifies the answer. For an operation that was already done, its state is
    /// looked up so that the outcome can say which.
    ///
    /// With an audit log, the request is recorded as sent when it goes out (past the client's limiter, not while
    /// it waits there), and its answer when it comes. A request goes out only if its `sent` line was written and
    /// `gate` (when given) still admits it; otherwise the outcome is ``CancelOutcome/notSent(_:)``.
    public func requestCancel(_ name: OperationName, audit: AuditLog? = nil, gate: SendGate? = nil, tool: String = "cli") async -> CancelOutcome {
        let gate = gate ?? SendGate()
        let key = name.description
        let outcome: CancelOutcome
        do throws(OperationsError) {
            try await cancel(name, willSend: { () throws(OperationsError) in
                try gate.admit(key) { () throws(AuditWriteError) in
                    try audit?.record(AuditEntry(action: .cancel, stage: .sent, name: key, tool: tool))
                }
            })
            outcome = .requested
        } catch {
            if case .notSent(let why) = error {
                outcome = .notSent(why)
            } else if !gate.wasSent(key) {
                // Cancelled while it waited for the limiter: it never went out.
                outcome = .notSent(gate.stopReason ?? "interrupted")
            } else {
                let refused = CancelOutcome.refused(error)
                if case .alreadyDone = refused, let operation = try? await get(name) {
                    outcome = .alreadyDone(operation.state)
                } else {
                    outcome = refused
                }
            }
        }
        if let audit {
            do throws(AuditWriteError) { try audit.record(outcome.auditEntry(name: key, tool: tool)) } catch { gate.stop(because: "\(error.description): stopped sending") }
        }
        return outcome
    }
}
