/// The time the poller schedules its listings by: the system's continuous clock, or a test's, which moves only
/// when the test says so (its instants are the continuous clock's, offset by the time the test let pass).
public protocol PollerClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Returns at `deadline`, or throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

/// The system's continuous clock.
public struct SystemPollerClock: PollerClock {
    public init() {}
    public var now: ContinuousClock.Instant { .now }
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}

/// A clock that stands still until ``advance(by:)``: a poller's intervals pass at once in tests, and a test
/// says exactly which have passed.
public final class ManualPollerClock: PollerClock {
    private struct State {
        var elapsed = Duration.zero
        var sleepers: [(id: Int, deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
    }

    private let start = ContinuousClock.now
    private let state = Locked(State())

    public init() {}

    public var now: ContinuousClock.Instant { start + state.withLock { $0.elapsed } }

    /// Lets `duration` pass: every sleep whose deadline it reaches returns.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.elapsed += duration
            let now = start + state.elapsed
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if deadline <= start + state.elapsed { return true }
                    state.sleepers.append((id, deadline, continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
                if Task.isCancelled { cancel(id) }
            }
        } onCancel: {
            cancel(id)
        }
    }

    private func cancel(_ id: Int) {
        let cancelled = state.withLock { state in
            let found = state.sleepers.first { $0.id == id }?.continuation
            state.sleepers.removeAll { $0.id == id }
            return found
        }
        cancelled?.resume(throwing: CancellationError())
    }
}
