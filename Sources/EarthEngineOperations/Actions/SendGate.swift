/// Decides, for a batch of cancels or deletes, whether each request may still go out, and remembers which did.
///
/// Each request passes the gate as it is about to be sent: its `sent` line is written to the audit log first,
/// and only then is it counted as sent. Once the gate is stopped (Ctrl-C or another termination signal, or an
/// audit log that could not be written), no further request is sent, while those already sent are still
/// answered: every operation the user asked about ends accepted, rejected, unanswered or not sent.
public final class SendGate: Sendable {
    private struct State {
        var stopReason: String?
        var sent: Set<String> = []
    }

    private let state = Locked(State())

    public init() {}

    /// Lets the request for `name` go out: runs `record` (the audit log's `sent` line) and counts it as sent.
    /// Throws ``OperationsError/notSent(_:)`` once the gate is stopped, or when `record` fails, which also stops it.
    public func admit(_ name: String, record: () throws(AuditWriteError) -> Void) throws(OperationsError) {
        let refusal = state.withLock { state -> String? in
            if let reason = state.stopReason { return reason }
            do throws(AuditWriteError) {
                try record()
            } catch {
                state.stopReason = "\(error.description): stopped sending"
                return state.stopReason
            }
            state.sent.insert(name)
            return nil
        }
        if let refusal { throw .notSent(refusal) }
    }

    /// Stops the batch: no request is sent after this. The first reason given is kept.
    public func stop(because reason: String) {
        state.withLock { state in
            if state.stopReason == nil { state.stopReason = reason }
        }
    }

    /// Why the batch was stopped, or nil while it runs.
    public var stopReason: String? { state.withLock { $0.stopReason } }

    /// True when the request for `name` went out.
    public func wasSent(_ name: String) -> Bool { state.withLock { $0.sent.contains(name) } }
}
