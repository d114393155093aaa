import EarthEngineOperations
import Foundation

/// Keeps the operations a live view (the TUI, `watch`) sees in the history, off the refresh path: `add` only
/// queues them (the operations themselves, shared with the view, not copies), and one task writes what has
/// queued since its last write, in one transaction on GRDB's own queue rather than a thread of the refresh, at
/// most once every ``interval``. An operation queued several times between two writes is written once, as last
/// seen.
///
/// The first failure is reported once through `onFailure`, and the recorder stops writing: the view goes on
/// without history.
public final class HistoryRecorder: Sendable {
    /// The shortest time between two writes.
    public static let interval: Duration = .seconds(1)
    /// A batch at least this large (a first listing's pages) leaves its transient memory to the system once
    /// written: it was taken on GRDB's thread, whose heap the view's own trimming does not reach in time.
    static let largeBatch = 5_000

    private let history: OperationHistory
    /// Operations queued since the last write, by name.
    private let queued = Locked<[String: LongRunningOperation]>([:])
    private let failed = Locked(false)
    /// Set by `finish`, which then needs the last batch written without waiting out the interval.
    private let finishing = Locked(false)
    /// The wait between two writes, which `finish` cancels (the writing task is not cancelled: that would cancel
    /// a write in flight).
    private let pause = Locked<Task<Void, Never>?>(nil)
    private let wakes: AsyncStream<Void>.Continuation
    private let writing: Task<Void, Never>

    public init(history: OperationHistory, interval: Duration = HistoryRecorder.interval, onFailure: @escaping @Sendable (HistoryError) -> Void) {
        self.history = history
        let (stream, wakes) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wakes = wakes
        let queued = queued, failed = failed, finishing = finishing, pause = pause
        writing = Task.detached {
            for await _ in stream {
                do throws(HistoryError) {
                    let batch = Self.take(queued)
                    try await history.recordInBackground(batch)
                    if batch.count >= Self.largeBatch { FreedMemory.release() }
                } catch {
                    failed.withLock { $0 = true }
                    onFailure(error)
                    return
                }
                // What queues meanwhile waits for the next write; `finish` cuts the wait short.
                let waiting = Task { _ = try? await Task.sleep(for: interval) }
                pause.withLock { $0 = waiting }
                if finishing.withLock({ $0 }) { waiting.cancel() }
                await waiting.value
            }
        }
    }

    /// Queues `operations` to be written; returns at once.
    public func add(_ operations: [LongRunningOperation]) {
        guard !operations.isEmpty else { return }
        queued.withLock { queued in
            for operation in operations { queued[operation.name] = operation }
        }
        wakes.yield()
    }

    /// Writes what is still queued and stops; for the end of a session.
    public func finish() async {
        finishing.withLock { $0 = true }
        pause.withLock { $0?.cancel() }
        wakes.finish()
        await writing.value
        guard !failed.withLock({ $0 }) else { return }
        try? await history.recordInBackground(Self.take(queued))
    }

    private static func take(_ queued: Locked<[String: LongRunningOperation]>) -> [LongRunningOperation] {
        queued.withLock { batch in
            defer { batch = [:] }
            return Array(batch.values)
        }
    }
}
