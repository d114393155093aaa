import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// `eeops wait`: blocks until operations are done.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until operations are done: by name, or all that match (--all).",
        discussion: "With --all, the operations not yet ended that match --state/--type/--match/--older-than when the wait starts. Each operation's line is printed as it ends. The requests of the whole wait average at most --budget per second, however many operations it waits for. Exit status 0 only when every operation SUCCEEDED; 1 when any FAILED, was CANCELLED or was not found; 2 when --timeout passed first; 3 on API errors; 130 when interrupted."
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var bulk: BulkSelectionOptions

    @Argument(help: "Operation names (projects/P/operations/ID) or ids.")
    var names: [String] = []

    @Option(name: .long, help: ArgumentHelp("Give up after this long (e.g. 30m); default: wait as long as it takes.", valueName: "duration"))
    var timeout: DurationArgument?

    @OptionGroup var waitBudget: WaitBudgetOptions
    @OptionGroup var notifyOptions: NotifyOptions

    func validate() throws {
        try bulk.validate(names: names, verb: "wait for")
    }

    func run() async throws {
        let session: Session
        let resolved: [OperationName]
        do {
            session = try await global.makeSession(requireProject: bulk.all)
            if bulk.all {
                resolved = try await session.select(bulk.filter(), keeping: { !$0.isTerminal }).selected
                StandardStream.error.write("eeops: \(resolved.count) operation(s) to wait for\n")
            } else {
                resolved = try session.names(names)
            }
        } catch { throw fail(error) }
        let deadline = timeout.map { ContinuousClock.now + $0.duration }
        let client = session.client
        let signals = SignalWatcher(signals: SignalWatcher.termination)
        var seen = Set<OperationName>()
        let unique = resolved.filter { seen.insert($0).inserted }
        let endings = AsyncStream.makeStream(of: (OperationName, OperationWaiter.Ending).self)
        let waiting = Task {
            let left = await OperationWaiter(budget: waitBudget.budget(session.settings)).wait(for: unique, client: client, deadline: deadline) { name, ending in
                endings.continuation.yield((name, ending))
            }
            endings.continuation.finish()
            return left
        }
        let interruption = Task { await signals.next() }
        Task {
            if await interruption.value != 0 { waiting.cancel() }
        }
        let notifier = notifyOptions.makeNotifier()
        var status = ExitStatus.success
        var ended = Set<OperationName>()
        for await (name, ending) in endings.stream {
            ended.insert(name)
            switch ending {
            case .reached(let operation):
                notifier?.ended(operation)
                let error = OperationFormatting.error(operation)
                StandardStream.output.write("\(TerminalText.sanitize(name.operationID))  \(OperationFormatting.state(operation.state))\(error.isEmpty ? "" : "  \(error)")\n")
                StandardStream.output.flush()
                if operation.state != .succeeded { status = max(status, ExitStatus.incomplete) }
            case .failed(let error):
                printError("\(name): \(error)")
                status = max(status, error.rpcCode == .notFound ? ExitStatus.incomplete : ExitStatus.apiError)
            }
        }
        let left = await waiting.value
        interruption.cancel()
        let interrupted = await interruption.value != 0
        for name in unique where !ended.contains(name) {
            let state = left[name].map { OperationFormatting.state($0.state) } ?? "unknown"
            StandardStream.output.write("\(TerminalText.sanitize(name.operationID))  still \(state) \(interrupted ? "when interrupted" : "at timeout")\n")
            status = max(status, ExitStatus.timedOut)
        }
        StandardStream.output.flush()
        await notifier?.finish()
        if interrupted { throw ExitCode(ExitStatus.interrupted) }
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
