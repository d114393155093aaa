import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsHistory
import OperationsPresentation

/// `eeops watch`: streams state transitions as the poller sees them.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Stream operations' state changes as they happen (Ctrl-C to stop).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectionOptions

    @Option(name: .long, help: "Output format.")
    var format: EventFormat = .text

    @OptionGroup var polling: PollingOptions
    @OptionGroup var historyOptions: HistoryOptions
    @OptionGroup var notifyOptions: NotifyOptions
    @OptionGroup var budgetOptions: BudgetOptions

    func run() async throws {
        FreedMemory.returnLargeBlocksDirectly()
        let filter = try selection.filter()
        let session: Session
        let audit: AuditLog?
        do {
            session = try await global.makeSession()
            audit = budgetOptions.cancelOverLimit ? try global.openAuditLog() : nil
        } catch { throw fail(error) }
        // One poller per project, sharing the request budget; their events are handled as they come.
        var configuration = polling.configuration(session.settings)
        configuration.requestBudget /= Double(session.projects.count)
        let pollers = session.projects.map { OperationPoller(client: session.client, project: $0, configuration: configuration) }
        let events = OperationPoller.merged(Array(zip(session.projects, pollers)))
        func stopPolling() async { for poller in pollers { await poller.stop() } }
        // Every operation seen is kept in the history, written in batches off the refresh path.
        let recorder = historyOptions.open().map { HistoryRecorder(history: $0, onFailure: warnWithoutHistory) }
        // SIGINT, SIGTERM and SIGHUP end the watch cleanly: the history gets what was seen, the guard's cancels are
        // accounted for, and the status is 130.
        let signals = SignalWatcher(signals: SignalWatcher.termination)
        let stoppedBy = Locked<Int32?>(nil)
        let stopper = Task {
            let number = await signals.next()
            guard number != 0 else { return }
            stoppedBy.withLock { $0 = number }
            await stopPolling()
        }
        defer { stopper.cancel() }
        for poller in pollers { await poller.start() }
        let notifier = notifyOptions.makeNotifier()
        let printer = TransitionPrinter(format: format, filter: filter, notifier: notifier, showsProject: session.projects.count > 1)
        let budgetGuard = budgetOptions.budget.map { WatchBudgetGuard(budget: $0, client: session.client, audit: audit, printer: printer) }
        // The header is printed once every project has been listed.
        var listedProjects: Set<String> = []
        var started: Bool { listedProjects.count == pollers.count }
        // What each project's first listing has shown so far: operations, and active ones.
        var firstListings: [String: (listed: Int, active: Int)] = [:]
        for await (project, event) in events {
            switch event {
            case .initialPage(let page):
                recorder?.add(page)
                budgetGuard?.check(page, matches: { filter.matches($0) }, at: Date())
                firstListings[project, default: (0, 0)].listed += page.count
                firstListings[project, default: (0, 0)].active += page.count { $0.state.isActive }
            case .listed:
                guard !started else { break }
                listedProjects.insert(project)
                if started {
                    printer.header(operations: firstListings.values.reduce(0) { $0 + $1.listed },
                                   active: firstListings.values.reduce(0) { $0 + $1.active }, projects: pollers.count)
                }
            case .refreshed(let operations, let transitions, let at):
                // What appeared or changed state (progress and EECU are written with the next change).
                recorder?.add(transitions.compactMap { $0.to == nil ? nil : $0.operation })
                printer.print(transitions)
                budgetGuard?.check(operations, matches: { filter.matches($0) }, at: at)
            case .refreshFailed(let error, _, let retryIn):
                // A project that fails before its first listing ends is a mistake of the user's (a wrong project).
                if !listedProjects.contains(project), !error.isRetryable {
                    await stopPolling()
                    await budgetGuard?.finish(because: "eeops stopped first")
                    throw fail(error)
                }
                // A first listing starts again from its first page.
                if !listedProjects.contains(project) { firstListings[project] = (0, 0) }
                printError("refresh failed\(pollers.count > 1 ? " (\(project))" : ""): \(error); retrying in \(Int(retryIn.seconds.rounded()))s")
            case .schedule(let schedule) where schedule.isStretched:
                let scope = pollers.count > 1 ? "\(project): " : ""
                printError("\(scope)refreshing every \(Int(schedule.interval.seconds.rounded()))s (\(schedule.pagesPerListing) pages) and listing all \(schedule.pagesPerCompleteListing) pages every \(Int(schedule.completeListingInterval.seconds.rounded()))s, to stay within \(configuration.requestBudget) requests/s\(pollers.count > 1 ? " (its share of --budget)" : "")")
            case .clockSkew(let seconds) where seconds != 0:
                printError(DurationText.clockSkewWarning(seconds: seconds))
            case .upToDate, .schedule, .clockSkew:
                break
            }
        }
        let signal = stoppedBy.withLock { $0 }
        await budgetGuard?.finish(because: signal.map { "interrupted by \(SignalWatcher.name(of: $0))" } ?? "eeops stopped first")
        await recorder?.finish()
        await notifier?.finish()
        if signal != nil { throw ExitCode(ExitStatus.interrupted) }
    }
}

/// Writes transitions as text or JSON lines.
final class TransitionPrinter: Sendable {
    let format: EventFormat
    let filter: OperationFilter
    /// Told of each printed transition to a final state (`--notify`, `--notify-command`).
    let notifier: EndingNotifier?

    /// Whether text lines name each operation's project (when several are watched; JSON lines always have the
    /// full name).
    let showsProject: Bool

    init(format: EventFormat, filter: OperationFilter, notifier: EndingNotifier? = nil, showsProject: Bool = false) {
        self.format = format
        self.filter = filter
        self.notifier = notifier
        self.showsProject = showsProject
    }

    func header(operations: Int, active: Int, projects: Int = 1) {
        let scope = projects > 1 ? " in \(projects) projects" : ""
        StandardStream.error.write("eeops: watching \(operations) operations (\(active) active)\(scope); Ctrl-C to stop\n")
    }

    /// A line per operation the budget guard found past `--eecu-limit`: in text, `over EECU limit` in the state
    /// column and the amounts after it; in JSON Lines, `"event": "over-eecu-limit"` (transition lines have no
    /// `event`).
    func printOverLimit(_ operations: [LongRunningOperation], budget: EECUBudget, at now: Date) {
        for operation in operations {
            let used = EECUTotals.seconds(of: operation) ?? 0
            if format == .jsonl {
                var line = JSONWriter()
                line.beginObject()
                if let description = operation.metadata?.description { line.key("description"); line.string(description) }
                line.key("eecuSeconds"); line.number(used)
                line.key("event"); line.string("over-eecu-limit")
                line.key("id"); line.string(operation.shortID)
                line.key("limitSeconds"); line.number(budget.limitSeconds)
                line.key("name"); line.string(operation.name)
                line.key("state"); line.string(operation.state.apiValue)
                line.key("time"); line.string(Timestamp.format(now, fractionDigits: 3))
                if let type = operation.metadata?.type { line.key("type"); line.string(type) }
                line.endObject()
                line.endLine()
                line.withBytes(StandardStream.output.write)
            } else {
                let amounts = "\(OperationFormatting.eecuAmount(seconds: used)) > \(OperationFormatting.eecuAmount(seconds: budget.limitSeconds))"
                textLine(operation, at: now, column: "over EECU limit", rest: amounts + "  " + OperationFormatting.description(operation))
            }
        }
        StandardStream.output.flush()
    }

    /// What became of a cancel the budget guard sent: `guard: requested`, `guard: cancelled`, ...; in JSON
    /// Lines, `"event": "eecu-guard-cancel"` with the outcome.
    func printGuardCancel(_ name: OperationName, outcome: CancelOutcome, at now: Date) {
        if format == .jsonl {
            var line = JSONWriter()
            line.beginObject()
            line.key("event"); line.string("eecu-guard-cancel")
            line.key("id"); line.string(name.operationID)
            line.key("name"); line.string(name.description)
            line.key("outcome"); line.string(outcome.description)
            line.key("time"); line.string(Timestamp.format(now, fractionDigits: 3))
            line.endObject()
            line.endLine()
            line.withBytes(StandardStream.output.write)
        } else {
            let time = String(Timestamp.format(now, fractionDigits: 0).dropFirst(11).dropLast())
            let column = TerminalText.fit("guard: " + outcome.shortLabel, to: OperationColumn.transition.width)
            StandardStream.output.write(TerminalText.sanitize("\(time)  \(name.operationID)  \(column)  \(outcome.description)") + "\n")
        }
        StandardStream.output.flush()
    }

    /// A text line: the time, the id, the type, `column` in the state column, then `rest`.
    private func textLine(_ operation: LongRunningOperation, at time: Date, column: String, rest: String) {
        let clock = String(Timestamp.format(time, fractionDigits: 0).dropFirst(11).dropLast())
        let type = TerminalText.fit(OperationFormatting.type(operation), to: OperationColumn.type.width)
        let state = TerminalText.fit(column, to: OperationColumn.transition.width)
        let project = showsProject ? TerminalText.fit(OperationFormatting.project(operation), to: OperationColumn.project.width) + "  " : ""
        StandardStream.output.write("\(clock)  \(project)\(OperationFormatting.id(operation))  \(type)  \(state)  \(rest)\n")
    }

    func print(_ transitions: [StateTransition]) {
        for transition in transitions {
            let operation = transition.operation
            // Match on the type, id and description; a --state filter applies to either end of the change.
            var shape = filter
            shape.states = []
            guard shape.matches(operation) else { continue }
            if !filter.states.isEmpty {
                let ends = [transition.from, transition.to].compactMap { $0 }
                guard ends.contains(where: filter.states.contains) else { continue }
            }
            if let to = transition.to, to.isTerminal { notifier?.ended(operation) }
            if format == .jsonl {
                // The model's writer (keys in sorted order), which also escapes DEL and the C1 controls that
                // JSONSerialization passes through from the server's text.
                var line = JSONWriter()
                line.beginObject()
                if let description = operation.metadata?.description { line.key("description"); line.string(description) }
                line.key("from")
                if let from = transition.from { line.string(from.apiValue) } else { line.null() }
                line.key("id"); line.string(operation.shortID)
                line.key("name"); line.string(transition.name)
                line.key("time"); line.string(Timestamp.format(transition.seenAt, fractionDigits: 3))
                line.key("to")
                if let to = transition.to { line.string(to.apiValue) } else { line.null() }
                if let type = operation.metadata?.type { line.key("type"); line.string(type) }
                line.endObject()
                line.endLine()
                line.withBytes(StandardStream.output.write)
            } else {
                let change = "\(transition.from.map(OperationFormatting.state) ?? "(new)") → \(transition.to.map(OperationFormatting.state) ?? "(gone)")"
                textLine(operation, at: transition.seenAt, column: change, rest: OperationFormatting.description(operation))
            }
        }
        StandardStream.output.flush()
    }
}
