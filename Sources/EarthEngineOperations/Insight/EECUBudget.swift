/// The budget guard of `--eecu-limit`: which operations have used more EECU-seconds than the limit, and which of
/// them the guard may cancel under `--cancel-over-limit`. Pure: `watch` and the TUI decide when to ask.
public struct EECUBudget: Sendable, Equatable {
    /// The EECU-seconds an operation may use; one that has used more is over the limit.
    public let limitSeconds: Double
    /// Whether operations over the limit are cancelled (`--cancel-over-limit`), not only flagged.
    public let cancelsOverLimit: Bool

    /// Nil unless `limitSeconds` is a positive, finite number.
    public init?(limitSeconds: Double, cancelsOverLimit: Bool = false) {
        guard limitSeconds.isFinite, limitSeconds > 0 else { return nil }
        self.limitSeconds = limitSeconds
        self.cancelsOverLimit = cancelsOverLimit
    }

    /// Whether the operation reports more EECU-seconds than the limit (in any state: a finished one stays flagged).
    public func isOver(_ operation: LongRunningOperation) -> Bool {
        guard let seconds = EECUTotals.seconds(of: operation) else { return false }
        return seconds > limitSeconds
    }

    /// Whether the guard cancels the operation: over the limit and still waiting or running. An operation in an
    /// unknown state, or already CANCELLING, is left alone: the guard acts without asking each time, so only on
    /// what it knows it can stop.
    public func shouldCancel(_ operation: LongRunningOperation) -> Bool {
        cancelsOverLimit && (operation.state == .running || operation.state == .pending) && isOver(operation)
    }
}
