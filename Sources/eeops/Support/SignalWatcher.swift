import Dispatch
import EarthEngineOperations
import Foundation

/// Turns termination signals into awaitable events, so that commands can shut down cleanly.
///
/// Each signal is handed to one waiter of ``next()``, or kept until someone waits. A waiter that is cancelled
/// gets 0 and leaves the rest as they were: later signals still arrive (an AsyncStream would have ended for good
/// when its consumer was cancelled, and a Ctrl-C during `cancel --wait` went unheard).
// Safe because `sources` is a `let` set in `init`, where the signal sources are configured, then only kept alive;
// everything that changes is behind the lock.
final class SignalWatcher: @unchecked Sendable {
    private struct State {
        var received: [Int32] = []
        var waiters: [UInt64: CheckedContinuation<Int32, Never>] = [:]
        /// Waiters cancelled before they could be registered.
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let sources: [DispatchSourceSignal]
    private let state = Locked(State())

    init(signals: [Int32]) {
        let state = self.state
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let waiter = state.withLock { state -> CheckedContinuation<Int32, Never>? in
                    guard let id = state.waiters.keys.min() else {
                        state.received.append(number)
                        return nil
                    }
                    return state.waiters.removeValue(forKey: id)
                }
                waiter?.resume(returning: number)
            }
            source.resume()
            return source
        }
    }

    /// Waits for the next signal and returns its number; 0 when the waiting task is cancelled.
    @discardableResult
    func next() async -> Int32 {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                let now = state.withLock { state -> Int32? in
                    if state.cancelled.remove(id) != nil { return 0 }
                    if !state.received.isEmpty { return state.received.removeFirst() }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Int32, Never>? in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return waiter
            }
            waiter?.resume(returning: 0)
        }
    }

    /// The termination signals a command that sends requests stops cleanly on.
    static let termination: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// `SIGINT`, `SIGTERM`, ...: a signal's name for messages.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
