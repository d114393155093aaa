import Foundation
import Testing
@testable import EarthEngineOperations
@testable import OperationsPresentation

/// The fuzzers' seeds and regression fixtures (`Tests/Fuzz/`), run through the same checks as the
/// libFuzzer targets (`FuzzChecks`), without libFuzzer, so that `swift test` catches a regression.
@Suite("Fuzz corpus and regression fixtures")
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func fixtures(_ target: String) -> [URL] {
        let folder = corpus.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: fixtures("decode"))
    func decodeFixtureKeepsTheInvariants(file: URL) throws {
        let violations = FuzzChecks.decodeResponse(try Data(contentsOf: file))
        #expect(violations.isEmpty, "\(file.lastPathComponent): \(violations.joined(separator: "; "))")
    }

    @Test(arguments: fixtures("sanitize"))
    func sanitizeFixtureKeepsTheInvariants(file: URL) throws {
        let violations = FuzzChecks.sanitizeText(try Data(contentsOf: file))
        #expect(violations.isEmpty, "\(file.lastPathComponent): \(violations.joined(separator: "; "))")
    }

    @Test func theFixturesAreThere() {
        for target in ["decode", "sanitize"] {
            let names = Self.fixtures(target).map(\.lastPathComponent)
            #expect(names.filter { $0.hasPrefix("seed-") }.count >= 10, "\(target): seeds missing from \(Self.corpus.path)")
            #expect(names.contains { $0.hasPrefix("regression-") }, "\(target): regression fixtures missing")
        }
    }

    /// The seeds are what they claim to be: the checks above do see decoded operations and errors.
    @Test func seedsDecodeAsTheClientDecodesThem() throws {
        func seed(_ name: String) throws -> Data { try Data(contentsOf: Self.corpus.appendingPathComponent("decode/\(name)")) }
        let page = try ListOperationsResponse(json: try seed("seed-list-page.json"))
        #expect(page.operations.map(\.state) == [.running, .succeeded, .failed])
        #expect(page.nextPageToken != nil)
        let failed = try LongRunningOperation(json: try seed("seed-operation-failed.json"))
        #expect(failed.error?.rpcCode == .invalidArgument)
        let error = RPCErrorEnvelope.operationsError(httpStatus: 404, contentType: "application/json", body: try seed("seed-error-envelope.json"))
        #expect(error.rpcCode == .notFound)
        #expect(error.description == "NOT_FOUND: Operation not found.")
        let proxy = RPCErrorEnvelope.operationsError(httpStatus: 502, contentType: "text/html", body: try seed("seed-error-html.html"))
        guard case .unexpectedErrorBody(_, _, let excerpt) = proxy else { Issue.record("not a proxy error: \(proxy)"); return }
        #expect(excerpt == "502 Bad Gateway")
    }

    /// The checks fail on what they are meant to catch.
    @Test func theChecksCatchUnsafeText() {
        for unsafe in ["\u{1B}[2J", "a\u{7}", "\u{7F}", "\u{9B}31m", "abc\u{202E}fed", "\u{2066}x", "\u{200F}", "\u{61C}", "a\nb", "a\u{2028}b", "\u{85}"] {
            #expect(!TerminalText.isSafeForTerminal(unsafe), "\(FuzzChecks.escaped(unsafe)) counted as safe")
            var check = FuzzChecker()
            check.safe(unsafe, "raw")
            #expect(check.violations.count == 1)
        }
        for safe in ["plain", "森林 🌲 Việt e\u{301}", "^[[2J", "<U+202E>", ""] {
            #expect(TerminalText.isSafeForTerminal(safe), "\(FuzzChecks.escaped(safe)) counted as unsafe")
        }
        #expect(FuzzChecker.parseCSV("a,\"b,\"\"c\"\"\r\nd\"\r\n1,2\r\n") == [["a", "b,\"c\"\r\nd"], ["1", "2"]])
    }

    /// What the fuzzer found, stated directly (the fixtures `regression-*` hold the inputs).
    @Test func bugsTheFuzzerFoundStayFixed() throws {
        // U+2028 and U+2029 are line breaks: a space, like LF.
        #expect(TerminalText.sanitize("one\u{2028}two\u{2029}three") == "one two three")
        // CSV quoting looks at scalars: a comma or quote followed by a joiner or combining mark, and CR LF.
        #expect(OperationListWriter.csvQuote(",\u{200D}") == "\",\u{200D}\"")
        #expect(OperationListWriter.csvQuote("a\r\nb") == "\"a\r\nb\"")
        #expect(OperationListWriter.csvQuote("\"\u{301}") == "\"\"\"\u{301}\"")
        #expect(OperationListWriter.csvQuote("森林 e\u{301}") == "森林 e\u{301}")
        // Timestamps stay within RFC 3339's years 0000 to 9999.
        let last = try #require(Timestamp.parse("9999-12-31T23:59:59.9999999Z"))
        #expect(Timestamp.format(last) == "9999-12-31T23:59:59.999999Z")
        #expect(Timestamp.format(last, fractionDigits: 0) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.parse("0000-01-01T00:00:00+01:00") == nil)
        #expect(Timestamp.parse("9999-12-31T23:30:00-01:00") == nil)
        #expect(Timestamp.parse("0000-01-01T00:00:00-01:00") != nil)
        for absurd in [1e300, -1e300, .infinity, .nan] {
            #expect(Timestamp.parse(Timestamp.format(Date(timeIntervalSince1970: absurd))) != nil)
        }
    }
}
