import EarthEngineOperations
import Foundation

/// Keeps the operations a live view (the TUI, `watch`) sees in the history, off the refresh path: `add` only
/// queues them, and one task writes what has queued since its last write, in one transaction, on GRDB's own
/// queue rather than a thread of the refresh. A burst of events becomes one batch; an operation queued twice
/// before a write is written once, as last seen.
///
/// The first failure is reported once through `onFailure`, and the recorder stops writing: the view goes on
/// without history.
public final class HistoryRecorder: Sendable {
    /// Records queued since the last write, by name.
    private let queued = Locked<[String: HistoryRecord]>([:])
    private let wakes: AsyncStream<Void>.Continuation
    private let writing: Task<Void, Never>

    public init(history: OperationHistory, onFailure: @escaping @Sendable (HistoryError) -> Void) {
        let (stream, wakes) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wakes = wakes
        let queued = queued
        writing = Task.detached {
            for await _ in stream {
                let batch = queued.withLock { batch in
                    defer { batch = [:] }
                    return Array(batch.values)
                }
                do throws(HistoryError) {
                    try await history.recordInBackground(batch)
                } catch {
                    onFailure(error)
                    return
                }
            }
        }
    }

    /// Queues `operations` to be written; returns at once.
    public func add(_ operations: [LongRunningOperation]) {
        guard !operations.isEmpty else { return }
        queued.withLock { queued in
            for operation in operations {
                if let record = HistoryRecord(operation) { queued[record.name] = record }
            }
        }
        wakes.yield()
    }

    /// Writes what is still queued and stops; for the end of a session.
    public func finish() async {
        wakes.finish()
        await writing.value
    }
}
