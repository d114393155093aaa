import Foundation
import TestSupport
import Testing
@testable import EarthEngineOperations
@testable import OperationsPresentation

@Suite("CLI output formats")
struct OutputFormatTests {
    let now = Date(timeIntervalSince1970: 1_714_557_600)

    var operations: [LongRunningOperation] {
        [
            LongRunningOperation(name: "projects/p/operations/AAAAAAAAAAAAAAAAAAAAAAAA", metadata: OperationMetadata(
                state: .running, description: "森林被覆変化_関東地方の長い説明文です", type: "EXPORT_IMAGE", createTime: now, progress: 0.42)),
            LongRunningOperation(name: "projects/p/operations/BBBBBBBBBBBBBBBBBBBBBBBB", metadata: OperationMetadata(
                state: .failed, description: "evil\u{1B}]0;title\u{07}, \"quoted\"", type: "INGEST_TABLE", createTime: now), done: true,
                error: Status(code: 13, message: "boom")),
        ]
    }

    func render(_ format: ListFormat, width: Int?) -> String {
        var text = ""
        var writer = OperationListWriter(format: format, terminalWidth: width, now: now) { text += String(decodingUTF8: $0) }
        writer.begin()
        writer.write(operations)
        writer.end()
        return text
    }

    @Test(arguments: [(nil, "-"), (0, "0.0"), (0.25, "0.2"), (3.04, "3.0"), (9.96, "10.0"), (812.4, "812"), (9_999.6, "10000"),
                      (12_400, "12.4k"), (12_460, "12.5k"), (9_999_999, "10000.0k"), (3_100_000, "3100.0k"), (31_000_000, "31.0M"), (-1, "-"), (.infinity, "-")] as [(Double?, String)])
    func eecuReadsLikePrintf(seconds: Double?, shown: String) {
        let operation = LongRunningOperation(name: "projects/p/operations/A", metadata: OperationMetadata(state: .running, batchEecuUsageSeconds: seconds))
        #expect(OperationFormatting.eecu(operation) == shown)
        if let seconds, seconds.isFinite, seconds >= 0, seconds < 10 { #expect(shown == String(format: "%.1f", seconds)) }
    }

    @Test func tableFitsTheTerminalAndAlignsWideText() {
        for width in [60, 80, 120] {
            let lines = render(.table, width: width).split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            for line in lines { #expect(TerminalText.width(line) <= width, "line too wide at \(width): \(line)") }
            // The STATE and DESCRIPTION columns start at the same display column on every line, whatever
            // the width of the text before them.
            let stateColumn = ScreenText.column(of: "STATE", in: lines[0]) ?? -1
            let descriptionColumn = ScreenText.column(of: "DESC", in: lines[0]) ?? -1
            #expect(ScreenText.text(atColumn: stateColumn, of: lines[1]).hasPrefix("RUNNING"))
            #expect(ScreenText.text(atColumn: stateColumn, of: lines[2]).hasPrefix("FAILED"))
            #expect(ScreenText.text(atColumn: descriptionColumn, of: lines[1]).hasPrefix("森林"))
            #expect(ScreenText.text(atColumn: descriptionColumn, of: lines[2]).hasPrefix("evil"))
        }
        let table = render(.table, width: 80)
        #expect(table.contains("42%"))
        #expect(!table.contains("\u{1B}"))
        #expect(table.contains("^[]0;title^G"))
    }

    @Test func unlimitedTableKeepsWholeDescriptions() {
        let table = render(.table, width: nil)
        #expect(table.contains("森林被覆変化_関東地方の長い説明文です"))
        #expect(table.contains("CREATED (UTC)"))
    }

    @Test func jsonIsAnArrayOfAPIResources() throws {
        let data = Data(render(.json, width: nil).utf8)
        let decoded = try operationArray(json: data)
        #expect(decoded == operations)
        let empty = { () -> String in
            var text = ""
            var writer = OperationListWriter(format: .json, terminalWidth: nil) { text += String(decodingUTF8: $0) }
            writer.begin(); writer.end()
            return text
        }()
        #expect(try operationArray(json: Data(empty.utf8)).isEmpty)
    }

    @Test func jsonlIsOneResourcePerLine() throws {
        let lines = render(.jsonl, width: 80).split(separator: "\n")
        #expect(lines.count == 2)
        for (line, operation) in zip(lines, operations) {
            #expect(try LongRunningOperation(json: Data(line.utf8)) == operation)
        }
    }

    @Test func csvQuotesFieldsAndHasAHeader() {
        let lines = render(.csv, width: nil).components(separatedBy: "\r\n")
        #expect(lines[0] == OperationListWriter.csvColumns.joined(separator: ","))
        #expect(lines[1].hasPrefix("projects/p/operations/AAAAAAAAAAAAAAAAAAAAAAAA,AAAAAAAAAAAAAAAAAAAAAAAA,EXPORT_IMAGE,RUNNING,0.42,"))
        #expect(lines[2].contains("\"evil\u{1B}]0;title\u{07}, \"\"quoted\"\"\""))
        #expect(lines[2].hasSuffix(",boom"))
    }
}
