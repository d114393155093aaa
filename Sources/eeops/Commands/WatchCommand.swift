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

    func run() async throws {
        FreedMemory.returnLargeBlocksDirectly()
        let filter = try selection.filter()
        let session: Session
        do { session = try await global.makeSession() } catch { throw fail(error) }
        let poller = OperationPoller(
            client: session.client, project: session.project!,
            configuration: polling.configuration
        )
        // Every operation seen is kept in the history, written in batches off the refresh path.
        let recorder = historyOptions.open().map { HistoryRecorder(history: $0, onFailure: warnWithoutHistory) }
        await poller.start()
        let printer = TransitionPrinter(format: format, filter: filter, notifier: notifyOptions.makeNotifier())
        var started = false
        var listed = 0, active = 0
        for await event in poller.events {
            switch event {
            case .initialPage(let page):
                recorder?.add(page)
                listed += page.count
                active += page.count { $0.state.isActive }
            case .listed:
                if !started { printer.header(operations: listed, active: active) }
                started = true
            case .refreshed(let operations, let transitions, _):
                recorder?.add(operations)
                printer.print(transitions)
            case .refreshFailed(let error, _, let retryIn):
                if !started, !error.isRetryable {
                    await poller.stop()
                    throw fail(error)
                }
                if !started { (listed, active) = (0, 0) } // the first listing starts again from its first page
                printError("refresh failed: \(error); retrying in \(Int(retryIn.seconds.rounded()))s")
            case .schedule(let schedule) where schedule.isStretched:
                printError("refreshing every \(Int(schedule.interval.seconds.rounded()))s (\(schedule.pagesPerListing) pages) and listing all \(schedule.pagesPerCompleteListing) pages every \(Int(schedule.completeListingInterval.seconds.rounded()))s, to stay within \(polling.budget) requests/s")
            case .clockSkew(let seconds) where seconds != 0:
                printError(DurationText.clockSkewWarning(seconds: seconds))
            case .upToDate, .schedule, .clockSkew:
                break
            }
        }
    }
}

/// Writes transitions as text or JSON lines.
final class TransitionPrinter: Sendable {
    let format: EventFormat
    let filter: OperationFilter
    /// Told of each printed transition to a final state (`--notify`, `--notify-command`).
    let notifier: EndingNotifier?

    init(format: EventFormat, filter: OperationFilter, notifier: EndingNotifier? = nil) {
        self.format = format
        self.filter = filter
        self.notifier = notifier
    }

    func header(operations: Int, active: Int) {
        StandardStream.error.write("eeops: watching \(operations) operations (\(active) active); Ctrl-C to stop\n")
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
                let time = String(Timestamp.format(transition.seenAt, fractionDigits: 0).dropFirst(11).dropLast())
                let change = "\(transition.from.map(OperationFormatting.state) ?? "(new)") → \(transition.to.map(OperationFormatting.state) ?? "(gone)")"
                let type = TerminalText.fit(OperationFormatting.type(operation), to: OperationColumn.type.width)
                let state = TerminalText.fit(change, to: OperationColumn.transition.width)
                StandardStream.output.write("\(time)  \(OperationFormatting.id(operation))  \(type)  \(state)  \(OperationFormatting.description(operation))\n")
            }
        }
        StandardStream.output.flush()
    }
}
