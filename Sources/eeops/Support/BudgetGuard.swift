import ArgumentParser
import EarthEngineOperations
import Foundation

/// `--eecu-limit` and `--cancel-over-limit`, for `watch` and the TUI.
struct BudgetOptions: ParsableArguments {
    @Option(name: .customLong("eecu-limit"), help: ArgumentHelp("Flag every operation that has used more than this many EECU-seconds: a marker in the TUI's row, a line in watch's output.", valueName: "seconds"))
    var eecuLimit: Double?

    @Flag(name: .customLong("cancel-over-limit"), help: "Cancel the running and pending operations past --eecu-limit, audited and within the quota (the TUI asks once first).")
    var cancelOverLimit = false

    func validate() throws {
        if let eecuLimit, !(eecuLimit.isFinite && eecuLimit > 0) {
            throw ValidationError("invalid --eecu-limit: expected a positive number of EECU-seconds, got \(eecuLimit)")
        }
        if cancelOverLimit, eecuLimit == nil { throw ValidationError("--cancel-over-limit needs --eecu-limit SECONDS") }
    }

    /// The guard, or nil without `--eecu-limit`.
    var budget: EECUBudget? { eecuLimit.flatMap { EECUBudget(limitSeconds: $0, cancelsOverLimit: cancelOverLimit) } }
}

/// The budget guard of `eeops watch`: says once of each watched operation that goes past the limit while active,
/// and under `--cancel-over-limit` cancels it (audited as `requested`, `sent` and answered, through the client's
/// limiter, so within the quota). ``finish(signalled:)`` accounts for every cancel before the command ends.
final class WatchBudgetGuard: Sendable {
    let budget: EECUBudget
    private let client: OperationsClient
    private let audit: AuditLog?
    private let printer: TransitionPrinter
    /// Stops sending when the audit log fails or a signal ends the watch.
    private let gate = SendGate()
    /// The operations already said to be over the limit.
    private let flagged = Locked<Set<String>>([])
    /// The guard's cancels not yet answered, by operation name.
    private let inFlight = Locked<[String: Task<Void, Never>]>([:])

    init(budget: EECUBudget, client: OperationsClient, audit: AuditLog?, printer: TransitionPrinter) {
        self.budget = budget
        self.client = client
        self.audit = audit
        self.printer = printer
    }

    /// Looks at operations the watch listed or refreshed; `matches` is the watch's selection.
    func check(_ operations: [LongRunningOperation], matches: (LongRunningOperation) -> Bool, at now: Date) {
        let over = operations.filter { $0.state.isActive && budget.isOver($0) && matches($0) }
        let newlyOver = flagged.withLock { flagged in over.filter { flagged.insert($0.name).inserted } }
        guard !newlyOver.isEmpty else { return }
        printer.printOverLimit(newlyOver, budget: budget, at: now)
        guard budget.cancelsOverLimit else { return }
        let names = newlyOver.filter(budget.shouldCancel).compactMap { OperationName(validating: $0.name) }
        guard !names.isEmpty else { return }
        if let audit {
            do throws(AuditWriteError) {
                try audit.record(names.map { AuditEntry(action: .cancel, stage: .requested, name: $0.description, tool: Self.auditTool) })
            } catch {
                gate.stop(because: "\(error.description): stopped sending")
                printError("\(error.description): the EECU guard sends no cancel")
                return
            }
        }
        for name in names { send(name) }
    }

    private func send(_ name: OperationName) {
        let key = name.description
        let (client, audit, gate, printer, inFlight) = (client, audit, gate, printer, inFlight)
        inFlight.withLock { tasks in
            tasks[key] = Task {
                let outcome = await client.requestCancel(name, audit: audit, gate: gate, tool: Self.auditTool)
                // Removed first: a task that is still listed at the end is one ``finish(signalled:)`` accounts for.
                guard inFlight.withLock({ $0.removeValue(forKey: key) }) != nil else { return }
                printer.printGuardCancel(name, outcome: outcome, at: Date())
            }
        }
    }

    /// Before the command ends: no further cancel is sent; those in flight are given `grace` to be answered, and
    /// each still unanswered then is audited and printed as stopped (sent and unanswered, or never sent).
    func finish(because reason: String, grace: Duration = InterruptibleBatch.grace) async {
        gate.stop(because: reason)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, !inFlight.withLock({ $0.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = inFlight.withLock { tasks in defer { tasks.removeAll() }; return tasks }
        for (key, task) in left.sorted(by: { $0.key < $1.key }) {
            task.cancel()
            guard let name = OperationName(validating: key) else { continue }
            let outcome = CancelOutcome.stopped(wasSent: gate.wasSent(key), because: reason)
            try? audit?.record(outcome.auditEntry(name: key, tool: Self.auditTool))
            printer.printGuardCancel(name, outcome: outcome, at: Date())
        }
    }

    /// The `tool` of the guard's audit entries.
    static let auditTool = "watch"
}
