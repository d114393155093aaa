import EarthEngineOperations
import Foundation

/// What the history keeps of one operation: its latest state, times, type, description, EECU and error. One
/// row per operation name; a later sighting replaces it when any of these changed.
public struct HistoryRecord: Hashable, Sendable {
    /// The full name, `projects/P/operations/ID`.
    public var name: String
    public var project: String
    public var type: String?
    public var description: String?
    /// The state as the API spells it.
    public var state: String
    public var createTime: Date?
    public var startTime: Date?
    public var updateTime: Date?
    public var endTime: Date?
    public var progress: Double?
    public var eecuSeconds: Double?
    public var errorCode: Int?
    public var errorMessage: String?
    /// The fingerprint of the operation's bytes as listed (``ReceivedPage/fingerprint(_:)``), when known: a
    /// later listing with the same fingerprint has nothing new to write. A record written without one (by a live
    /// view) clears the one stored, which no longer describes the row.
    public var fingerprint: UInt64?

    /// The record of `operation`; nil when its name is not of the shape `projects/P/operations/ID` (the history
    /// is kept per project, and a name without one cannot be placed).
    public init?(_ operation: LongRunningOperation, fingerprint: UInt64? = nil) {
        guard let project = operation.projectID else { return nil }
        let metadata = operation.metadata
        name = operation.name
        self.project = project
        self.fingerprint = fingerprint
        type = metadata?.type
        description = metadata?.description
        state = operation.state.apiValue
        createTime = metadata?.createTime
        startTime = metadata?.startTime
        updateTime = metadata?.updateTime
        endTime = metadata?.endTime
        progress = metadata?.progress.flatMap { $0.isFinite ? $0 : nil }
        eecuSeconds = EECUTotals.seconds(of: operation)
        // A cancelled operation's error is the cancel itself, not something that went wrong.
        if operation.state != .cancelled, let error = operation.error {
            errorCode = error.code
            errorMessage = error.message
        }
    }

    public init(name: String, project: String, state: String) {
        self.name = name
        self.project = project
        self.state = state
    }

    /// The operation as far as the history knows it: a summary without stages, script or destinations, for
    /// drawing rows before the server answers.
    public var operation: LongRunningOperation {
        let state = OperationState(apiValue: state)
        let metadata = OperationMetadata(
            state: state, description: description, type: type, createTime: createTime, updateTime: updateTime,
            startTime: startTime, endTime: endTime, progress: progress, batchEecuUsageSeconds: eecuSeconds
        )
        let error = errorCode.map { Status(code: $0, message: errorMessage ?? "") }
            ?? (state == .cancelled ? Status(code: RPCCode.cancelled.rawValue, message: "") : nil)
        return LongRunningOperation(name: name, metadata: metadata, done: state.isTerminal, error: error)
    }
}
