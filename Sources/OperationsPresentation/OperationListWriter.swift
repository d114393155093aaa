import EarthEngineOperations
import Foundation

/// Output formats of `eeops list` and `eeops get`.
public enum ListFormat: String, CaseIterable, Sendable {
    /// Aligned columns that fit the terminal, wide characters included; text is sanitised.
    case table
    /// A JSON array of Operation resources, indented: `list` and `get` write each as the server sent it (every
    /// field, in the server's order).
    case json
    /// One Operation resource per line, compact JSON.
    case jsonl
    /// RFC 4180 CSV with a header row; see ``OperationListWriter/csvColumns``.
    case csv
}

/// Writes operations page by page in one of the ``ListFormat``s, so that long listings stream.
public struct OperationListWriter: ~Copyable {
    public static let csvColumns = ["name", "id", "type", "state", "progress", "attempt", "batchEecuUsageSeconds",
                                    "priority", "createTime", "startTime", "updateTime", "endTime", "description", "error"]

    private let format: ListFormat
    private let columns: [TableColumn]
    private let now: Date
    private let emit: (Span<UInt8>) -> Void
    private var written = 0
    /// The JSON formats' writer, whose memory is kept from page to page.
    private var pageWriter: JSONWriter

    /// - Parameters:
    ///   - terminalWidth: columns to fit the table into; nil for no limit (output to a pipe or file).
    ///   - projects: the projects listed; with several, the table starts with a PROJECT column as wide as the
    ///     longest (the other formats always keep each operation's full name).
    ///   - emit: receives the output as UTF-8, a page or a line at a time, newlines included, lent for the call.
    ///     Bytes rather than text, so that a page of output is passed on as written, without being checked
    ///     and copied into a `String`.
    public init(format: ListFormat, terminalWidth: Int?, projects: [String] = [], now: Date = Date(), emit: @escaping (Span<UInt8>) -> Void) {
        self.format = format
        pageWriter = JSONWriter(pretty: format == .json)
        self.now = now
        self.emit = emit
        self.columns = TableColumn.layout(width: terminalWidth, projectWidth: projects.count > 1 ? projects.map(\.count).max() : nil)
    }

    public mutating func begin() {
        switch format {
        case .table: emit(text: tableRow { $0.title })
        case .json: emit(text: "[")
        case .csv: emit(text: Self.csvColumns.joined(separator: ",") + "\r\n")
        case .jsonl: break
        }
    }

    public mutating func write(_ operations: [LongRunningOperation]) {
        guard !operations.isEmpty else { return }
        switch format {
        case .table:
            emit(text: operations.map { operation in tableRow { $0.value(operation, now) } }.joined())
        case .csv:
            emit(text: operations.map { Self.csvRow($0) + "\r\n" }.joined())
        case .json, .jsonl:
            // JSON: elements of the array that `begin` opens and `end` closes; JSON lines: one document a line.
            pageWriter.restart(continuingArrayAfter: format == .json ? written : nil)
            pageWriter.reserveCapacity(operations.count * (format == .json ? 1536 : 1280))
            for operation in operations {
                operation.write(to: &pageWriter)
                if format == .jsonl { pageWriter.endLine() }
            }
            pageWriter.withBytes(emit)
        }
        written += operations.count
    }

    /// Writes a page as the server sent it (``ReceivedPage``): in the JSON formats each operation's JSON with
    /// every field it had, in its order; the table and CSV from the decoded operations, as ``write(_:)``.
    public mutating func write(_ page: ReceivedPage) {
        guard page.count > 0 else { return }
        switch format {
        case .table, .csv:
            write((0..<page.count).map(page.operation))
        case .json:
            pageWriter.restart(continuingArrayAfter: written)
            pageWriter.reserveCapacity(page.count * 1536)
            for index in 0..<page.count { page.copy(index, to: &pageWriter) }
            pageWriter.withBytes(emit)
            written += page.count
        case .jsonl:
            page.withJSONLines(emit)
            written += page.count
        }
    }

    public mutating func end() {
        if format == .json { emit(text: written == 0 ? "]\n" : "\n]\n") }
    }

    private func emit(text: String) {
        emit(text.utf8.span)
    }

    /// One line of the table; the last column is cut but never padded.
    private func tableRow(_ text: (TableColumn) -> String) -> String {
        var cells: [String] = []
        for (index, column) in columns.enumerated() {
            cells.append(index == columns.count - 1 ? TerminalText.truncate(text(column), to: column.width)
                                                    : TerminalText.fit(text(column), to: column.width, alignRight: column.alignRight))
        }
        return cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
    }

    static func csvRow(_ operation: LongRunningOperation) -> String {
        let metadata = operation.metadata
        let fields: [String] = [
            operation.name, operation.shortID, metadata?.type ?? "", operation.state.apiValue,
            metadata?.progress.map { String($0) } ?? "", metadata?.attempt.map(String.init) ?? "",
            metadata?.batchEecuUsageSeconds.map { String($0) } ?? "", metadata?.priority.map(String.init) ?? "",
            metadata?.createTime.map { Timestamp.format($0) } ?? "", metadata?.startTime.map { Timestamp.format($0) } ?? "",
            metadata?.updateTime.map { Timestamp.format($0) } ?? "", metadata?.endTime.map { Timestamp.format($0) } ?? "",
            metadata?.description ?? "", operation.error?.message ?? "",
        ]
        return fields.map(csvQuote).joined(separator: ",")
    }

    static func csvQuote(_ field: String) -> String {
        // By scalar, not by Character: a comma, quote or line break followed by a combining mark or a
        // joiner, and CR LF, are Characters equal to none of these, yet a CSV reader still sees them.
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in field.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }
}

/// A column of the CLI's table.
struct TableColumn {
    var title: String
    var width: Int
    var alignRight = false
    var value: (LongRunningOperation, Date) -> String

    init(_ column: OperationColumn, value: @escaping (LongRunningOperation, Date) -> String) {
        title = column.title
        width = column.width
        alignRight = column.alignRight
        self.value = value
    }

    /// Columns for a terminal `width` wide: the description takes what is left; the creation time and
    /// then the type go when space is short. Without a width nothing is cut.
    /// With a `projectWidth`, a PROJECT column that wide (at least its title's) comes first.
    static func layout(width: Int?, projectWidth: Int? = nil) -> [TableColumn] {
        let id = TableColumn(.id) { operation, _ in OperationFormatting.id(operation) }
        var project = TableColumn(.project) { operation, _ in OperationFormatting.project(operation) }
        project.width = max(project.title.count, min(projectWidth ?? 0, OperationColumn.project.width))
        var type = TableColumn(.type) { operation, _ in OperationFormatting.type(operation) }
        let state = TableColumn(.state) { operation, _ in OperationFormatting.state(operation.state) }
        let progress = TableColumn(.progress) { operation, _ in OperationFormatting.progress(operation) }
        let created = TableColumn(.createdAt) { operation, _ in OperationFormatting.timestamp(operation.metadata?.createTime) }
        var description = TableColumn(.description) { operation, _ in OperationFormatting.description(operation) }
        let lead = projectWidth == nil ? [id] : [project, id]
        guard let width else {
            description.width = Int.max / 4
            return lead + [type, state, progress, created, description]
        }
        var columns = lead + [type, state, progress, created]
        func used() -> Int { columns.reduce(0) { $0 + $1.width + 2 } }
        // Give up the least useful columns first, keeping at least 20 columns of description.
        if width - used() < 20 { columns.removeAll { $0.title == created.title } }
        if width - used() < 20 {
            type.width = OperationColumn.narrowType.width
            columns[lead.count] = type
        }
        if width - used() < 20 { columns.removeAll { $0.title == progress.title } }
        description.width = max(4, width - used())
        columns.append(description)
        return columns
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
