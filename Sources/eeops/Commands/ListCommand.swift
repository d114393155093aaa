import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsHistory
import OperationsPresentation

/// `eeops list`: the project's operations, newest first, streamed page by page.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the project's operations.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var historyOptions: HistoryOptions

    @Option(name: .long, help: "Stop after this many operations (after filtering).")
    var limit: Int?

    @Option(name: .long, help: "Output format.")
    var format: ListFormat = .table

    @Option(name: .customLong("page-size"), help: "Operations per request (1-1000).")
    var pageSize: Int = 1000

    /// What `--group-by` groups operations by.
    enum Grouping: String, CaseIterable, ExpressibleByArgument {
        /// The FAILED operations by error code and message, ids and numbers inside it set aside.
        case error
    }

    @Option(name: .customLong("group-by"), help: "Print groups instead of operations: 'error' groups the FAILED operations by error message (ids and numbers inside it do not split a group), largest first; --limit counts groups.")
    var groupBy: Grouping?

    func validate() throws {
        guard (1...1000).contains(pageSize) else { throw ValidationError("invalid --page-size \(pageSize): expected 1 to 1000") }
        if let limit, limit < 1 { throw ValidationError("invalid --limit \(limit): expected a positive number") }
    }

    func run() async throws {
        FreedMemory.keepFreedMemoryForReuse()
        let filter = try selection.filter()
        let session: Session
        do { session = try await global.makeSession() } catch { throw fail(error) }
        let output = StandardStream.output
        let history = historyOptions.open()
        // What the history keeps of the operations received, written once the output is out.
        var records: [HistoryRecord] = []
        defer { Self.record(records, in: history) }
        if groupBy == .error {
            var failed: [LongRunningOperation] = []
            let now = Date()
            do {
                try await session.client.listAll(project: session.project!, pageSize: pageSize) { page in
                    if history != nil { records.append(contentsOf: page.compactMap(HistoryRecord.init)) }
                    failed.append(contentsOf: page.filter { $0.state == .failed && filter.matches($0, now: now) })
                }
            } catch { throw fail(error) }
            let groups = FailureGroups.group(failed)
            output.write(FailureGroupWriter.render(limit.map { Array(groups.prefix($0)) } ?? groups, format: format))
            output.flush()
            return
        }
        var writer = OperationListWriter(format: format, terminalWidth: output.terminalWidth) { output.write($0) }
        var shown = 0
        var begun = false
        do {
            let now = Date()
            // The limit applies after filtering, so the listing itself is unbounded when a filter is set.
            // The operations as the server sent them, so that JSON output keeps every field (decoded only to
            // filter them, for the history, or for the table and CSV).
            try await session.client.listAllReceived(project: session.project!, pageSize: pageSize, limit: filter.isEmpty ? limit : nil) { page in
                let decoded = history != nil || !filter.isEmpty ? (0..<page.count).map { page.operation($0) } : []
                if history != nil { records.append(contentsOf: decoded.compactMap(HistoryRecord.init)) }
                var matching = Array(0..<page.count)
                if !filter.isEmpty { matching = matching.filter { filter.matches(decoded[$0], now: now) } }
                if let limit { matching = Array(matching.prefix(limit - shown)) }
                shown += matching.count
                if !begun { writer.begin(); begun = true }
                writer.write(matching.count == page.count ? page : page.selecting(matching))
                if let limit, shown >= limit { throw ListingDone() }
            }
        } catch is ListingDone {
        } catch {
            if begun { writer.end() }
            output.flush()
            throw fail(error)
        }
        if !begun { writer.begin() }
        writer.end()
        output.flush()
    }

    /// Writes what the listing received to the history, after the output: one transaction of the changed rows.
    static func record(_ records: [HistoryRecord], in history: OperationHistory?) {
        guard let history else { return }
        do { try history.record(records) } catch { warnWithoutHistory(error) }
    }
}

/// Ends a listing early once `--limit` operations were shown.
struct ListingDone: Error {}
