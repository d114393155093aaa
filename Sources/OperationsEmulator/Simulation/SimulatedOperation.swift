import EarthEngineOperations
import Foundation

/// One operation of the simulated project: a planned timeline from which its state at any moment is
/// computed, so that it moves on its own as the clock runs.
struct SimulatedOperation: Sendable {
    enum Outcome: Sendable { case succeeded, failed(String) }

    /// What a cancel request will lead to, decided when the cancel arrives.
    enum CancelResolution: Sendable { case cancelled, completes }

    /// How an operation answers cancel: drawn at random (completing anyway with the configured
    /// probability), always cancelled, always completing anyway, or UNIMPLEMENTED.
    enum CancelBehavior: String, Sendable { case random, cancels, completes, unimplemented }

    /// A stage's name and description ("Create Tiles", "Create Tiles for export image").
    struct Stage: Sendable {
        let displayName: String
        let description: String

        /// The stages of an operation of `type`, named `names`: made once per type, not at each snapshot.
        static func named(_ names: [String], type: String) -> [Stage] {
            let phrase = type.lowercased().replacingOccurrences(of: "_", with: " ")
            return names.map { Stage(displayName: $0, description: "\($0) for \(phrase)") }
        }
    }

    let id: String
    let type: String
    let description: String
    let priority: Int
    let createTime: Date
    /// PENDING until then.
    let startTime: Date
    /// Start of each attempt; earlier attempts failed and were retried.
    let attemptStarts: [Date]
    let endTime: Date
    let outcome: Outcome
    let eecuPerSecond: Double
    let scriptUri: String?
    let destinationUris: [String]
    let notifications: [OperationNotification]
    let stages: [Stage]
    let totalWorkUnits: Int
    /// How this operation answers a cancel request.
    let cancelBehavior: CancelBehavior

    var cancelRequestedAt: Date?
    var cancelResolvesAt: Date?
    var cancelResolution: CancelResolution?

    /// The moment the operation becomes done.
    var doneTime: Date {
        if let resolves = cancelResolvesAt, resolves < endTime { return resolves }
        return endTime
    }

    func state(at now: Date) -> OperationState {
        if let requested = cancelRequestedAt, let resolves = cancelResolvesAt, requested <= now, requested < endTime {
            if now < resolves && now < endTime { return .cancelling }
            if cancelResolution == .completes || endTime <= resolves { return outcomeState }
            return .cancelled
        }
        if now < startTime { return .pending }
        if now < endTime { return .running }
        return outcomeState
    }

    private var outcomeState: OperationState {
        if case .failed = outcome { return .failed }
        return .succeeded
    }

    /// The operation as the API would return it at `now`.
    func snapshot(at now: Date, project: String, version: APIVersion) -> LongRunningOperation {
        let state = state(at: now)
        let frozenAt = min(now, cancelRequestedAt ?? now) // a cancelling task stops making progress
        let attemptIndex = max(0, (attemptStarts.lastIndex(where: { $0 <= frozenAt }) ?? 0))
        let attemptStart = attemptStarts[attemptIndex]
        let attemptLength = max(1, endTime.timeIntervalSince(attemptStarts.last ?? startTime))
        var metadata = OperationMetadata(
            typeURL: "type.googleapis.com/google.earthengine.\(version.rawValue).OperationMetadata",
            state: state, description: description, type: type, priority: priority, createTime: createTime,
            scriptUri: scriptUri
        )
        var updateTime = createTime
        switch state {
        case .pending:
            break
        case .running, .cancelling:
            let progress = min(0.99, max(0, frozenAt.timeIntervalSince(attemptStart) / attemptLength))
            metadata.startTime = startTime
            metadata.progress = (progress * 1000).rounded() / 1000
            metadata.attempt = attemptIndex + 1
            metadata.batchEecuUsageSeconds = runningSeconds(until: frozenAt) * eecuPerSecond
            metadata.stages = stages(progress: progress)
            // Progress is reported every 5 simulated seconds, as a real task does.
            updateTime = max(attemptStart, Date(timeIntervalSince1970: (frozenAt.timeIntervalSince1970 / 5).rounded(.down) * 5))
            if state == .cancelling, let requested = cancelRequestedAt { updateTime = requested }
        case .succeeded, .failed, .cancelled, .unspecified, .unknown:
            let done = doneTime
            // A cancelled task stopped where it was when the cancel arrived; a finished one ran to the end.
            let stoppedAt = state == .cancelled ? min(done, cancelRequestedAt ?? done) : done
            let attemptsRun = max(1, attemptStarts.filter { $0 <= stoppedAt }.count)
            let lastStart = attemptStarts[attemptsRun - 1]
            metadata.startTime = done > startTime ? startTime : nil
            metadata.endTime = done
            metadata.attempt = attemptsRun
            metadata.batchEecuUsageSeconds = runningSeconds(until: stoppedAt) * eecuPerSecond
            metadata.progress = state == .succeeded ? 1 : (min(0.99, max(0, stoppedAt.timeIntervalSince(lastStart) / attemptLength)) * 1000).rounded() / 1000
            metadata.stages = stages(progress: metadata.progress ?? 0)
            updateTime = done
        }
        if state == .succeeded { metadata.destinationUris = destinationUris }
        metadata.notifications = notifications
        metadata.updateTime = updateTime
        let name = "projects/\(project)/operations/\(id)"
        switch state {
        case .succeeded:
            return LongRunningOperation(name: name, metadata: metadata, done: true, response: LongRunningOperation.emptyResponse)
        case .failed:
            var message = "Failed."
            if case .failed(let reason) = outcome { message = reason }
            return LongRunningOperation(name: name, metadata: metadata, done: true, error: Status(code: RPCCode.unknown.rawValue, message: message))
        case .cancelled:
            return LongRunningOperation(name: name, metadata: metadata, done: true, error: Status(code: RPCCode.cancelled.rawValue, message: "Cancelled."))
        default:
            return LongRunningOperation(name: name, metadata: metadata)
        }
    }

    private func runningSeconds(until moment: Date) -> Double {
        max(0, min(moment, endTime).timeIntervalSince(startTime))
    }

    private func stages(progress: Double) -> [OperationStage] {
        guard !stages.isEmpty else { return [] }
        let share = 1.0 / Double(stages.count)
        return stages.enumerated().map { index, stage in
            let stageProgress = min(1, max(0, (progress - Double(index) * share) / share))
            let started = progress >= Double(index) * share
            return OperationStage(
                displayName: stage.displayName, description: stage.description,
                completeWorkUnits: started ? Int((Double(totalWorkUnits) * stageProgress).rounded(.down)) : nil,
                totalWorkUnits: started ? totalWorkUnits : nil
            )
        }
    }
}
