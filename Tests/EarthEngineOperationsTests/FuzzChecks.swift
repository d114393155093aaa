import Foundation
#if !EEOPS_FUZZER
@testable import EarthEngineOperations
@testable import OperationsPresentation
#endif

/// The invariants the libFuzzer targets (`Fuzz/`) check on every input they try, shared with
/// `FuzzCorpusTests`, which runs the committed seeds and regression fixtures (`Tests/Fuzz/`) through them.
///
/// `scripts/fuzz.sh` compiles this file and the production sources into one module, with
/// `-D EEOPS_FUZZER` (hence the conditional imports). Each check returns the invariants the input
/// broke, as readable messages: an empty list means all is well.
enum FuzzChecks {
    /// The statuses an error answer is tried with (chosen by the input's length).
    static let errorStatuses = [400, 401, 403, 404, 409, 429, 499, 500, 502, 503, 504, 418]

    /// Terminal widths the CLI's table is drawn for.
    static let tableWidths = [120, 80]

    /// Feeds `data` to the decoding the client applies to the server's answers (a list page, one
    /// operation, the google.rpc error envelope of a failed request) and checks what eeops would show:
    /// every string field after `TerminalText.sanitize`, the CLI's table, CSV and JSON lines, the error's text.
    static func decodeResponse(_ data: Data) -> [String] {
        var check = FuzzChecker()
        if let page = try? ListOperationsResponse(json: data) {
            check.expect(page.nextPageToken?.isEmpty != true, "an empty nextPageToken was kept")
            check.text(page.nextPageToken ?? "", "nextPageToken")
            for operation in page.operations { check.operation(operation) }
            check.outputs(page.operations)
        }
        if let operation = try? LongRunningOperation(json: data) {
            check.operation(operation)
            check.outputs([operation])
        }
        let status = errorStatuses[data.count % errorStatuses.count]
        check.error(RPCErrorEnvelope.operationsError(httpStatus: status, contentType: "text/html", body: data), status: status)
        return check.violations
    }

    /// Ellipses `truncate` and `fit` are tried with (all of them already safe for a terminal).
    static let ellipses = ["…", "...", "", "~", "⋯", "＞", "e\u{301}", "→"]

    /// Treats `data` as text from the server: byte 0 gives a column count (low 7 bits) and the alignment
    /// (high bit), byte 1 the ellipsis, the rest (as UTF-8, invalid sequences replaced) the text. Checks
    /// `sanitize`, `asciiOnly`, `width`, `truncate` and `fit` against their documented contracts.
    static func sanitizeText(_ data: Data) -> [String] {
        var check = FuzzChecker()
        let bytes = [UInt8](data)
        let columns = Int((bytes.first ?? 20) & 0x7F)
        let alignRight = (bytes.first ?? 0) & 0x80 != 0
        let ellipsis = ellipses[Int(bytes.count > 1 ? bytes[1] : 0) % ellipses.count]
        let raw = String(decoding: bytes.dropFirst(2), as: UTF8.self)

        let shown = TerminalText.sanitize(raw)
        check.safe(shown, "sanitize(raw)")
        check.expect(TerminalText.sanitize(shown) == shown, "sanitize is not idempotent: \(escaped(shown))")
        if raw.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            check.expect(shown == raw, "sanitize changed printable ASCII \(escaped(raw))")
        }
        let ascii = TerminalText.asciiOnly(shown)
        check.expect(ascii.utf8.allSatisfy { $0 < 0x80 }, "asciiOnly left non-ASCII in \(escaped(ascii))")
        check.safe(ascii, "asciiOnly(sanitize(raw))")
        check.expect(TerminalText.asciiOnly(raw).utf8.allSatisfy { $0 < 0x80 }, "asciiOnly(raw) left non-ASCII")

        let width = TerminalText.width(shown)
        let scalarSum = shown.unicodeScalars.reduce(0) { $0 + TerminalText.width(of: $1) }
        check.expect(width == scalarSum, "width \(width) differs from the sum of its scalars' widths \(scalarSum) for \(escaped(shown))")

        for limit in Set([columns, max(0, width - 1), width, width + 1]) {
            let cut = TerminalText.truncate(shown, to: limit, ellipsis: ellipsis)
            check.safe(cut, "truncate(to: \(limit))")
            check.expect(TerminalText.width(cut) <= limit,
                         "truncate(to: \(limit), ellipsis: \(escaped(ellipsis))) is \(TerminalText.width(cut)) wide: \(escaped(cut))")
            if limit > 0, width <= limit { check.expect(cut == shown, "truncate(to: \(limit)) cut text that fitted") }
            for (name, text) in [("sanitized", shown), ("ascii", ascii)] {
                let fitted = TerminalText.fit(text, to: limit, alignRight: alignRight, ellipsis: ellipsis)
                check.safe(fitted, "fit(\(name), to: \(limit))")
                check.expect(TerminalText.width(fitted) == limit,
                             "fit(\(name), to: \(limit), ellipsis: \(escaped(ellipsis))) is \(TerminalText.width(fitted)) wide: \(escaped(fitted))")
            }
            // Unsanitised text has no width contract, but must not crash anything.
            _ = TerminalText.fit(raw, to: limit, alignRight: alignRight, ellipsis: ellipsis)
        }
        return check.violations
    }

    /// `text` with everything but printable ASCII written as `\u{X}`, for messages.
    static func escaped(_ text: String, limit: Int = 200) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            if scalar.value >= 0x20, scalar.value < 0x7F { result.unicodeScalars.append(scalar) } else { result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" }
        }
        return "\"" + result + (text.unicodeScalars.count > limit ? "…" : "") + "\""
    }
}

/// Collects the invariants an input broke.
struct FuzzChecker {
    var violations: [String] = []

    mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { violations.append(message()) }
    }

    /// `text` is safe to write to a terminal as it is.
    mutating func safe(_ text: String, _ what: String) {
        guard !TerminalText.isSafeForTerminal(text) else { return }
        let bad = text.unicodeScalars.first { !TerminalText.isSafeForTerminal(String($0)) }
        violations.append("\(what) lets U+\(String(bad?.value ?? 0, radix: 16, uppercase: true)) through to the terminal: \(FuzzChecks.escaped(text))")
    }

    /// A string from the server, as the CLI and the TUI show it.
    mutating func text(_ raw: String, _ field: String) {
        let shown = TerminalText.sanitize(raw)
        safe(shown, "sanitize(\(field))")
        safe(TerminalText.asciiOnly(shown), "asciiOnly(sanitize(\(field)))")
        expect(TerminalText.width(TerminalText.fit(shown, to: 20)) == 20, "fit(sanitize(\(field)), to: 20) is not 20 columns wide")
    }

    mutating func operation(_ operation: LongRunningOperation) {
        text(operation.name, "name")
        text(operation.shortID, "shortID")
        for (field, value) in [("id", OperationFormatting.id(operation)), ("type", OperationFormatting.type(operation)),
                               ("description", OperationFormatting.description(operation)),
                               ("state", OperationFormatting.state(operation.state)), ("error", OperationFormatting.error(operation)),
                               ("progress", OperationFormatting.progress(operation)), ("eecu", OperationFormatting.eecu(operation)),
                               ("created", OperationFormatting.timestamp(operation.metadata?.createTime))] {
            safe(value, "OperationFormatting.\(field)")
        }
        if let metadata = operation.metadata {
            for (field, value) in [("@type", metadata.typeURL), ("type", metadata.type), ("description", metadata.description),
                                   ("scriptUri", metadata.scriptUri), ("state", metadata.state?.apiValue)] {
                text(value ?? "", "metadata.\(field)")
            }
            for uri in metadata.destinationUris { text(uri, "metadata.destinationUris[]") }
            for stage in metadata.stages {
                text(stage.displayName ?? "", "stages[].displayName")
                text(stage.description ?? "", "stages[].description")
            }
            for notification in metadata.notifications {
                for value in [notification.severity, notification.topic, notification.detail] { text(value ?? "", "notifications[]") }
            }
            if let progress = metadata.clampedProgress { expect((0...1).contains(progress), "clampedProgress \(progress) is outside 0...1") }
            for (field, date) in [("createTime", metadata.createTime), ("updateTime", metadata.updateTime),
                                  ("startTime", metadata.startTime), ("endTime", metadata.endTime)] {
                guard let date else { continue }
                let formatted = Timestamp.format(date)
                let back = Timestamp.parse(formatted)
                expect(back.map { abs($0.timeIntervalSince(date)) < 0.001 } ?? false,
                       "\(field) \(date.timeIntervalSince1970) is written as \(formatted), which does not read back")
            }
        }
        if let error = operation.error {
            text(error.message, "error.message")
            for detail in error.details { json(detail, "error.details") }
        }
        if let response = operation.response { json(response, "response") }
        roundTrip(operation)
    }

    /// Every string and key in an open JSON value.
    mutating func json(_ value: JSONValue, _ field: String) {
        switch value {
        case .string(let string): text(string, field)
        case .array(let values): for value in values { json(value, field) }
        case .object(let members):
            for (key, value) in members {
                text(key, field + " key")
                json(value, field)
            }
        case .null, .bool, .number: break
        }
    }

    /// What `eeops list -o json` writes reads back as the same operation (timestamps to the microsecond).
    mutating func roundTrip(_ operation: LongRunningOperation) {
        let data = Data(operation.jsonBytes())
        guard let back = try? LongRunningOperation(json: data) else {
            violations.append("the JSON written for \(FuzzChecks.escaped(operation.name)) does not decode: \(FuzzChecks.escaped(String(decoding: data, as: UTF8.self)))")
            return
        }
        func withoutTimes(_ operation: LongRunningOperation) -> LongRunningOperation {
            var copy = operation
            copy.metadata?.createTime = nil
            copy.metadata?.updateTime = nil
            copy.metadata?.startTime = nil
            copy.metadata?.endTime = nil
            return copy
        }
        expect(withoutTimes(back) == withoutTimes(operation),
               "the operation changed through its JSON encoding: \(FuzzChecks.escaped(String(decoding: data, as: UTF8.self)))")
    }

    /// The CLI's outputs of decoded operations: the table is inert and fits the terminal, CSV and JSON
    /// lines have one record per operation.
    mutating func outputs(_ operations: [LongRunningOperation]) {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for width in FuzzChecks.tableWidths {
            var table = ""
            var writer = OperationListWriter(format: .table, terminalWidth: width, now: now) { table += String(decodingUTF8: $0) }
            writer.begin()
            writer.write(operations)
            writer.end()
            let lines = table.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            expect(lines.count == operations.count + 1, "the \(width)-column table has \(lines.count) lines for \(operations.count) operations")
            for line in lines {
                safe(String(line), "a table row")
                expect(TerminalText.width(String(line)) <= width, "a table row is \(TerminalText.width(String(line))) columns wide, more than \(width)")
            }
        }
        var csv = ""
        var csvWriter = OperationListWriter(format: .csv, terminalWidth: nil, now: now) { csv += String(decodingUTF8: $0) }
        csvWriter.begin()
        csvWriter.write(operations)
        csvWriter.end()
        let records = Self.parseCSV(csv)
        expect(records.count == operations.count + 1, "the CSV has \(records.count) records for \(operations.count) operations")
        for (record, operation) in zip(records.dropFirst(), operations) {
            expect(record.count == OperationListWriter.csvColumns.count, "a CSV record has \(record.count) fields")
            expect(record.first == operation.name, "the CSV name field reads back as \(FuzzChecks.escaped(record.first ?? "")), not \(FuzzChecks.escaped(operation.name))")
            let description = operation.metadata?.description ?? ""
            expect(record.count > 12 && record[12] == description, "the CSV description does not read back as \(FuzzChecks.escaped(description))")
        }
        var jsonl = ""
        var jsonlWriter = OperationListWriter(format: .jsonl, terminalWidth: nil, now: now) { jsonl += String(decodingUTF8: $0) }
        jsonlWriter.write(operations)
        let jsonLines = jsonl.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        expect(jsonLines.count == operations.count, "JSON lines has \(jsonLines.count) lines for \(operations.count) operations")
        for line in jsonLines {
            expect((try? LongRunningOperation(json: Data(line))) != nil, "a JSON line does not decode")
        }
    }

    /// An error answer, as the client reports it.
    mutating func error(_ error: OperationsError, status: Int) {
        safe(TerminalText.sanitize(error.description), "sanitize(error.description)")
        expect(error.rpcCode != nil, "an error answer has no google.rpc code: \(error)")
        switch error {
        case .api(_, let httpStatus, let message):
            expect(httpStatus == status, "the error reports HTTP \(httpStatus), not \(status)")
            text(message, "error envelope message")
        case .unexpectedErrorBody(let httpStatus, _, let excerpt):
            expect(httpStatus == status, "the error reports HTTP \(httpStatus), not \(status)")
            // "A short, single-line summary": no line breaks or tabs are left.
            expect(!excerpt.unicodeScalars.contains { [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains($0.value) },
                   "the excerpt of an error body is not a single line: \(FuzzChecks.escaped(excerpt))")
            text(excerpt, "error body excerpt")
        default:
            violations.append("an error answer became \(error)")
        }
    }

    /// RFC 4180 records (CRLF or LF between records; quoted fields may hold anything).
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" { field.append("\""); pending = scalars.next() } else { quoted = false }
                } else {
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": quoted = true
            case ",":
                record.append(String(field))
                field = String.UnicodeScalarView()
            case "\r" where pending == "\n":
                break
            case "\n":
                record.append(String(field))
                records.append(record)
                record = []
                field = String.UnicodeScalarView()
            default: field.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(String(field)); records.append(record) }
        return records
    }
}
