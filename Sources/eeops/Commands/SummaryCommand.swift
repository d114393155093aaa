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
        (total, byState, byType), failures, queue (pending, running, etaSeconds, ...), operations and project; \
        with several projects, an array of such objects, one per project in the order given.
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
        var summaries: [ProjectSummary] = []
        var records: [HistoryRecord] = []
        let history = historyOptions.open()
        let now = Date()
        defer { ListCommand.record(records, in: history) }
        do {
            session = try await global.makeSession()
            for project in session.projects {
                var operations: [LongRunningOperation] = []
                try await session.client.listAll(project: project) { page in
                    if history != nil { records.append(contentsOf: page.compactMap { HistoryRecord($0) }) }
                    operations.append(contentsOf: filter.isEmpty ? page : page.filter { filter.matches($0, now: now) })
                }
                summaries.append(ProjectSummary(project: project, operations: operations, now: now))
            }
        } catch { throw fail(error) }
        switch format {
        case .table: StandardStream.output.write(summaries.map(SummaryText.render).joined(separator: "\n"))
        case .json:
            // One project: its object; several: an array of them, in the order given.
            if summaries.count == 1 {
                StandardStream.output.write(summaries[0].jsonString(pretty: true) + "\n")
            } else {
                var writer = JSONWriter(pretty: true)
                writer.beginArray()
                for summary in summaries { summary.write(to: &writer) }
                writer.endArray()
                StandardStream.output.write(String(decoding: writer.bytes, as: UTF8.self) + "\n")
            }
        }
        StandardStream.output.flush()
    }
}
