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
        if groupBy == .error {
            let history = historyOptions.open()
            var records: [HistoryRecord] = []
            var failed: [LongRunningOperation] = []
            let now = Date()
            do {
                for project in session.projects {
                    try await session.client.listAll(project: project, pageSize: pageSize) { page in
                        if history != nil { records.append(contentsOf: page.compactMap { HistoryRecord($0) }) }
                        failed.append(contentsOf: page.filter { $0.state == .failed && filter.matches($0, now: now) })
                    }
                }
            } catch {
                Self.record(records, in: history)
                throw fail(error)
            }
            let groups = FailureGroups.group(failed)
            output.write(FailureGroupWriter.render(limit.map { Array(groups.prefix($0)) } ?? groups, format: format))
            output.flush()
            Self.record(records, in: history)
            return
        }
        // The history is opened, and its fingerprints read, while the first page is on its way; what it keeps of
        // the operations received is written once the output is out. Several projects are listed one after the
        // other, into one output.
        var history: OperationHistory?
        var records: [HistoryRecord] = []
        var writer = OperationListWriter(format: format, terminalWidth: output.terminalWidth, projects: session.projects) { output.write($0) }
        var shown = 0
        var begun = false
        do {
            let now = Date()
            for (index, project) in session.projects.enumerated() {
                // The first project opens the history; the others read their fingerprints from it.
                let reading = Task.detached { [historyOptions, history] in
                    index == 0 ? Self.openHistory(historyOptions, project: project) : (history, history.map { Self.fingerprints(in: $0, project: project) } ?? [:])
                }
                var known: [String: UInt64]?
                // The limit applies after filtering, so the listing itself is unbounded when a filter is set.
                // The operations as the server sent them, so that JSON output keeps every field (decoded only to
                // filter them, for the history when they changed, or for the table and CSV).
                try await session.client.listAllReceived(project: project, pageSize: pageSize, limit: filter.isEmpty ? limit.map { $0 - shown } : nil) { page in
                    if known == nil { (history, known) = await reading.value }
                    // Each operation is decoded once at most, for the history and the filter alike.
                    var decoded: [LongRunningOperation?] = [] // allocated when the first is decoded
                    func operation(_ index: Int) -> LongRunningOperation {
                        if decoded.isEmpty { decoded = Array(repeating: nil, count: page.count) }
                        if let operation = decoded[index] { return operation }
                        let operation = page.operation(index)
                        decoded[index] = operation
                        return operation
                    }
                    if history != nil, let known {
                        for index in 0..<page.count {
                            let fingerprint = page.fingerprint(index)
                            guard known[page.names[index]] != fingerprint else { continue }
                            if let record = HistoryRecord(operation(index), fingerprint: fingerprint) { records.append(record) }
                        }
                    }
                    var matching = Array(0..<page.count)
                    if !filter.isEmpty { matching = matching.filter { filter.matches(operation($0), now: now) } }
                    if let limit { matching = Array(matching.prefix(limit - shown)) }
                    shown += matching.count
                    if !begun { writer.begin(); begun = true }
                    writer.write(matching.count == page.count ? page : page.selecting(matching))
                    if let limit, shown >= limit { throw ListingDone() }
                }
                if known == nil { (history, known) = await reading.value }
            }
        } catch is ListingDone {
        } catch {
            if begun { writer.end() }
            output.flush()
            Self.record(records, in: history)
            throw fail(error)
        }
        if !begun { writer.begin() }
        writer.end()
        output.flush()
        Self.record(records, in: history)
    }

    /// The history and the fingerprints it has of the project's operations: one that matches has nothing new to
    /// write, and is neither decoded nor written again.
    static func openHistory(_ options: HistoryOptions, project: String) -> (OperationHistory?, [String: UInt64]) {
        guard let history = options.open() else { return (nil, [:]) }
        do { return (history, try history.fingerprints(project: project)) } catch {
            warnWithoutHistory(error)
            return (nil, [:])
        }
    }

    /// The fingerprints the open history has of another project's operations (none when it cannot read them).
    static func fingerprints(in history: OperationHistory, project: String) -> [String: UInt64] {
        do { return try history.fingerprints(project: project) } catch {
            warnWithoutHistory(error)
            return [:]
        }
    }

    /// Writes what the listing received to the history, after the output: one transaction of the changed rows.
    static func record(_ records: [HistoryRecord], in history: OperationHistory?) {
        guard let history else { return }
        do { try history.record(records) } catch { warnWithoutHistory(error) }
    }
}

/// Ends a listing early once `--limit` operations were shown.
struct ListingDone: Error {}
