import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsHistory
import OperationsPresentation

/// `eeops summary`: the operator's view of a project in one screen: operations per state, EECU totals, the
/// failure groups and the queue.
struct SummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarise the project: states, EECU, failure groups and the queue.",
        discussion: """
        Counts operations per state, adds up their EECU time (in all, by state, by type), groups the FAILED ones \
        by error message (ids and numbers inside a message do not split a group), and estimates the queue: \
        pending and running counts, the concurrency of the last 6 hours, the median run time and when the \
        pending operations should be done. --format json prints one object with the members states, eecuSeconds \
        (total, byState, byType), failures, queue (pending, running, etaSeconds, ...), operations and project.
        """
    )

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case table, json
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var historyOptions: HistoryOptions

    @Option(name: .long, help: "Output format.")
    var format: Format = .table

    func run() async throws {
        let filter = try selection.filter()
        let session: Session
        var operations: [LongRunningOperation] = []
        var records: [HistoryRecord] = []
        let history = historyOptions.open()
        let now = Date()
        do {
            session = try await global.makeSession()
            try await session.client.listAll(project: session.project!) { page in
                if history != nil { records.append(contentsOf: page.compactMap { HistoryRecord($0) }) }
                operations.append(contentsOf: filter.isEmpty ? page : page.filter { filter.matches($0, now: now) })
            }
        } catch { throw fail(error) }
        let summary = ProjectSummary(project: session.project!, operations: operations, now: now)
        defer { ListCommand.record(records, in: history) }
        switch format {
        case .table: StandardStream.output.write(SummaryText.render(summary))
        case .json: StandardStream.output.write(summary.jsonString(pretty: true) + "\n")
        }
        StandardStream.output.flush()
    }
}
