import Dispatch
import Foundation

/// Turns termination signals into an awaitable event, so that commands can shut down cleanly.
// Safe because every stored property is a `let` set in `init`: the stream and its continuation are Sendable,
// and the signal sources are only configured there, then kept alive.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation

    init(signals: [Int32]) {
        (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let continuation = self.continuation
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// Waits for the next signal and returns its number; 0 when the waiting task is cancelled.
    @discardableResult
    func next() async -> Int32 {
        for await number in stream { return number }
        return 0
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
