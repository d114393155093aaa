import ArgumentParser
import EarthEngineOperations
import Foundation

/// Runs one request per operation (a cancel, a delete) concurrently, and stops cleanly on SIGINT, SIGTERM or SIGHUP.
///
/// On a signal the gate stops, so that no further request is sent; requests still waiting for the client's
/// limiter are withdrawn (their outcome says they were not sent); requests in flight are given ``grace`` to be
/// answered, and those still unanswered then (or at a second signal) end as `unanswered`. So every operation
/// asked about gets an outcome: accepted, rejected, unanswered or not sent.
struct InterruptibleBatch {
    /// How long answers in flight are awaited after a signal.
    static let grace: Duration = .seconds(5)

    let signals: SignalWatcher
    let gate: SendGate

    /// Sets up a bulk command: SIGPIPE is ignored (the accounting goes on when the output is a closed pipe, as with
    /// `| head`), the termination signals are watched, and the `requested` lines of `names` are written. When they
    /// cannot be, nothing is sent: the command ends with status 64.
    static func start(_ action: AuditEntry.Action, of names: [OperationName], audit: AuditLog) throws -> InterruptibleBatch {
        signal(SIGPIPE, SIG_IGN)
        let signals = SignalWatcher(signals: SignalWatcher.termination)
        do {
            try audit.record(names.map { AuditEntry(action: action, stage: .requested, name: $0.description, tool: "cli") })
        } catch {
            printError("\(error.description): nothing was sent")
            throw ExitCode(ExitStatus.usage)
        }
        return InterruptibleBatch(signals: signals, gate: SendGate())
    }

    private enum Event<Outcome: Sendable>: Sendable {
        case done(Int, Outcome)
        case signal(Int32)
        case graceOver
    }

    /// Sends `request` for each of `names`; `onOutcome` sees each outcome as it comes (in the order they come), and
    /// `unanswered` makes the outcome of one that was sent but not answered in time. Returns the outcomes in the
    /// order of `names`, and the signal that stopped the batch, if one did.
    func run<Outcome: Sendable>(
        _ names: [OperationName], request: @escaping @Sendable (OperationName) async -> Outcome,
        unanswered: (OperationName) -> Outcome, onOutcome: (OperationName, Outcome) -> Void
    ) async -> (outcomes: [Outcome], signal: Int32?) {
        let tasks = names.map { name in Task { await request(name) } }
        var outcomes = [Outcome?](repeating: nil, count: names.count)
        var signal: Int32?
        var remaining = names.count
        await withTaskGroup(of: Event<Outcome>.self) { group in
            for (index, task) in tasks.enumerated() {
                group.addTask { .done(index, await task.value) }
            }
            let signals = self.signals
            group.addTask { .signal(await signals.next()) }
            loop: while remaining > 0, let event = await group.next() {
                switch event {
                case .done(let index, let outcome):
                    outcomes[index] = outcome
                    remaining -= 1
                    onOutcome(names[index], outcome)
                case .signal(let number) where number != 0 && signal == nil:
                    signal = number
                    gate.stop(because: "interrupted by \(SignalWatcher.name(of: number))")
                    for (index, task) in tasks.enumerated() where outcomes[index] == nil && !gate.wasSent(names[index].description) {
                        task.cancel()
                    }
                    group.addTask { .signal(await signals.next()) }
                    group.addTask {
                        try? await Task.sleep(for: Self.grace)
                        return .graceOver
                    }
                case .signal(let number) where number != 0:
                    break loop // a second signal: stop waiting for answers
                case .signal, .graceOver:
                    if signal != nil { break loop }
                }
            }
            for task in tasks { task.cancel() }
            group.cancelAll()
        }
        for index in names.indices where outcomes[index] == nil {
            let outcome = unanswered(names[index])
            outcomes[index] = outcome
            onOutcome(names[index], outcome)
        }
        return (outcomes.map { $0! }, signal)
    }
}
