import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// `eeops cancel`: cancels operations by name, or every operation that matches (`--all`), concurrently
/// within the API's quotas, and reports one outcome per operation.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel operations by name, or all that match (--all).",
        discussion: """
        Cancel is asynchronous and best effort: each line says whether the server accepted the request \
        (cancel requested), refused it (already SUCCEEDED, UNIMPLEMENTED, NOT_FOUND, ...), and with --wait \
        what the operation finally did (CANCELLED, or finished despite cancel). Exit status 0 when every \
        requested cancel was accepted (with --wait: and every operation ended CANCELLED), 1 otherwise, \
        2 when --timeout passed first.
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var bulk: BulkSelectionOptions

    @Argument(help: "Operation names (projects/P/operations/ID) or ids.")
    var names: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Show what would be cancelled; send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Do not ask for confirmation (required for --all without a terminal).")
    var yes = false

    @Flag(name: .long, help: "Wait until each accepted cancel has taken effect.")
    var wait = false

    @Option(name: .long, help: ArgumentHelp("With --wait: give up after this long (e.g. 5m).", valueName: "duration"))
    var timeout: DurationArgument?

    @OptionGroup var waitBudget: WaitBudgetOptions

    @Option(name: .long, help: "Output format.")
    var format: EventFormat = .text

    func validate() throws {
        try bulk.validate(names: names, verb: "cancel")
        if timeout != nil && !wait { throw ValidationError("--timeout applies with --wait") }
    }

    func run() async throws {
        let all = bulk.all
        let session: Session
        var targets: [OperationName]
        var skipped = 0
        do {
            session = try await global.makeSession(requireProject: all)
            if all {
                (targets, skipped) = try await session.select(bulk.filter(), keeping: \.isCancellable)
            } else {
                targets = try session.names(names)
            }
        } catch {
            throw fail(error)
        }
        let report = CancelReport(format: format)
        if all {
            StandardStream.error.write("eeops: \(targets.count) operation(s) to cancel" + (skipped > 0 ? " (\(skipped) matching ones already done are skipped)" : "") + "\n")
        }
        if targets.isEmpty {
            return
        }
        if dryRun {
            for name in targets { report.line(name, "would cancel") }
            return
        }
        if all && !yes {
            guard StandardStream.standardInputIsTerminal else {
                printError("refusing to cancel \(targets.count) operation(s) without confirmation: no terminal to ask on; pass --yes")
                throw ExitCode(ExitStatus.usage)
            }
            let projects = targets.map(\.project).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            StandardStream.error.write("Cancel \(targets.count) operation(s) in \(projects.joined(separator: ", "))? [y/N] ")
            StandardStream.error.flush()
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                StandardStream.error.write("eeops: nothing cancelled\n")
                throw ExitCode(ExitStatus.incomplete)
            }
        }
        let audit: AuditLog
        do { audit = try global.openAuditLog() } catch { throw fail(error) }
        let batch = try InterruptibleBatch.start(.cancel, of: targets, audit: audit)
        let (signals, gate) = (batch.signals, batch.gate)
        let client = session.client
        var outcomes: [String: CancelOutcome] = [:]
        let (_, interrupted) = await batch.run(
            targets, request: { name in await client.requestCancel(name, audit: audit, gate: gate) },
            unanswered: { name in
                let outcome = CancelOutcome.stopped(wasSent: gate.wasSent(name.description), because: gate.stopReason ?? "interrupted")
                try? audit.record(outcome.auditEntry(name: name.description, tool: "cli"))
                return outcome
            },
            onOutcome: { name, outcome in
                outcomes[name.description] = outcome
                report.line(name, outcome.description, outcome: outcome)
            }
        )
        var signalNumber = interrupted
        var timedOut = false
        if wait, signalNumber == nil {
            let deadline = timeout.map { ContinuousClock.now + $0.duration }
            let accepted = targets.filter { outcomes[$0.description]?.wasAccepted == true && outcomes[$0.description]?.isFinal == false }
            (timedOut, signalNumber) = await waitForOutcomes(accepted, client: client, budget: waitBudget.budget(session.settings), deadline: deadline, signals: signals, report: report) { name, outcome in
                outcomes[name.description] = outcome
                try? audit.record(outcome.auditEntry(name: name.description, tool: "cli"))
            }
        }
        report.summary(Array(outcomes.values))
        StandardStream.output.flush()
        if let reason = gate.stopReason {
            let notSent = outcomes.values.filter { if case .notSent = $0 { true } else { false } }.count
            printError("\(reason); \(notSent) cancel(s) not sent")
        }
        if let failure = audit.failure { printError("\(failure.description): the log is incomplete from then on") }
        if signalNumber != nil { throw ExitCode(ExitStatus.interrupted) }
        if timedOut { throw ExitCode(ExitStatus.timedOut) }
        let allGood = outcomes.values.allSatisfy { wait ? $0 == .cancelled : $0.wasAccepted }
        if !allGood { throw ExitCode(ExitStatus.incomplete) }
    }

    /// Waits, within the poll budget, until each accepted cancel has taken effect (CANCELLED, or finished anyway).
    /// Returns whether the deadline passed first, and the signal that interrupted the wait, if one did.
    private func waitForOutcomes(
        _ names: [OperationName], client: OperationsClient, budget: Double, deadline: ContinuousClock.Instant?, signals: SignalWatcher, report: CancelReport,
        record: @escaping (OperationName, CancelOutcome) -> Void
    ) async -> (timedOut: Bool, signal: Int32?) {
        guard !names.isEmpty else { return (false, nil) }
        let endings = AsyncStream.makeStream(of: (OperationName, OperationWaiter.Ending).self)
        let waiting = Task {
            let left = await OperationWaiter(budget: budget).wait(
                for: names, client: client, deadline: deadline, isEnd: { CancelOutcome.observed($0.state).isFinal }
            ) { name, ending in endings.continuation.yield((name, ending)) }
            endings.continuation.finish()
            return left
        }
        let interruption = Task { await signals.next() }
        Task {
            let number = await interruption.value
            if number != 0 { waiting.cancel() }
        }
        var ended = Set<OperationName>()
        for await (name, ending) in endings.stream {
            ended.insert(name)
            switch ending {
            case .reached(let operation):
                let outcome = CancelOutcome.observed(operation.state)
                record(name, outcome)
                report.line(name, outcome.description, outcome: outcome)
            case .failed(let error) where error.rpcCode == .notFound:
                record(name, .notFound)
                report.line(name, "disappeared while waiting (NOT_FOUND)", outcome: .notFound)
            case .failed(let error):
                report.line(name, "could not be checked: \(error.description)")
            }
        }
        _ = await waiting.value
        interruption.cancel()
        let signal = await interruption.value
        let interrupted = signal != 0 ? signal : nil
        let unfinished = names.filter { !ended.contains($0) }
        for name in unfinished {
            report.line(name, interrupted != nil ? "interrupted while waiting; cancel requested but not yet effective" : "timed out waiting; cancel requested but not yet effective")
        }
        return (interrupted == nil && !unfinished.isEmpty, interrupted)
    }
}

/// Prints cancel outcomes as text lines or JSON lines.
struct CancelReport: Sendable {
    let format: EventFormat

    func line(_ name: OperationName, _ text: String, outcome: CancelOutcome? = nil) {
        if format == .jsonl {
            var line = JSONWriter()
            line.beginObject()
            line.key("id"); line.string(name.operationID)
            line.key("name"); line.string(name.description)
            line.key("outcome"); line.string(text)
            if let outcome { line.key("result"); line.string(outcome.code) }
            line.endObject()
            line.endLine()
            line.withBytes(StandardStream.output.write)
        } else {
            StandardStream.output.write(TerminalText.sanitize(name.operationID) + "  " + TerminalText.sanitize(text) + "\n")
        }
        StandardStream.output.flush()
    }

    func summary(_ outcomes: [CancelOutcome]) {
        if format == .jsonl {
            var counts: [String: Int] = [:]
            for outcome in outcomes { counts[outcome.code, default: 0] += 1 }
            var line = JSONWriter()
            line.beginObject()
            line.key("summary")
            line.beginObject()
            for (key, count) in counts.sorted(by: { $0.key < $1.key }) { line.key(key); line.number(count) }
            line.endObject()
            line.endObject()
            line.endLine()
            line.withBytes(StandardStream.output.write)
        } else {
            StandardStream.output.write("summary: " + CancelOutcome.summary(outcomes) + "\n")
        }
    }
}
