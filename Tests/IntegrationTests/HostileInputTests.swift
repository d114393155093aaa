import EarthEngineOperations
import Foundation
import OperationsPresentation
import OperationsTUI
import TestSupport
import Testing

/// Malformed and hostile answers from a server: each gives a clear error or a safe rendering — no crash,
/// no hang, and nothing raw reaches the terminal.
@Suite("Hostile and malformed server answers")
struct HostileInputTests {
    enum Expectation: Sendable {
        /// Listing succeeds with this many operations (nil: any number).
        case lists(Int?)
        /// Listing fails with an error whose text contains this.
        case fails(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let expectation: Expectation
        let script: @Sendable (_ pageToken: String?, _ request: Int) -> HostileServer.Answer
        var testDescription: String { name }

        init(_ name: String, _ expectation: Expectation, _ script: @escaping @Sendable (String?, Int) -> HostileServer.Answer) {
            self.name = name
            self.expectation = expectation
            self.script = script
        }

        /// Every request gets the same JSON text.
        init(_ name: String, _ expectation: Expectation, json: String, status: Int = 200) {
            self.init(name, expectation) { _, _ in HostileServer.Answer(status: status, json) }
        }
    }

    static func operation(_ id: String, metadata: String = #"{"state":"RUNNING","type":"EXPORT_IMAGE","description":"ok"}"#, extra: String = "") -> String {
        #"{"name":"projects/p/operations/\#(id)","metadata":\#(metadata)\#(extra)}"#
    }

    static func page(_ operations: [String], next: String? = nil) -> String {
        #"{"operations":[\#(operations.joined(separator: ","))]\#(next.map { #","nextPageToken":"\#($0)""# } ?? "")}"#
    }

    static func metadata(_ fields: String) -> String { "{\(fields)}" }

    static let escapes = #"\u001b]0;pwned\u0007\u001b[2J\u001bP1;2|dcs\u001b\\\u009b31m\u202eevil\u0000\u007f"#

    static let cases: [Case] = [
        Case("operations is a string", .lists(0), json: #"{"operations":"nope"}"#),
        Case("operations elements of the wrong type", .lists(1), json: #"{"operations":[1,"two",null,true,\#(operation("A"))]}"#),
        Case("null in every field", .lists(1), json: page([#"{"name":"projects/p/operations/N","metadata":{"state":null,"description":null,"type":null,"priority":null,"createTime":null,"updateTime":null,"startTime":null,"endTime":null,"progress":null,"stages":null,"attempt":null,"scriptUri":null,"destinationUris":null,"notifications":null,"batchEecuUsageSeconds":null},"done":null,"error":null,"response":null}"#])),
        Case("metadata missing", .lists(2), json: page([#"{"name":"projects/p/operations/M1"}"#, #"{"name":"projects/p/operations/M2","done":true}"#])),
        Case("metadata of the wrong type", .lists(1), json: page([#"{"name":"projects/p/operations/W","metadata":[1,2,3]}"#])),
        Case("unknown state", .lists(1), json: page([operation("U", metadata: metadata(#""state":"HIBERNATING""#))])),
        Case("unknown type", .lists(1), json: page([operation("T", metadata: metadata(#""type":"EXPORT_HOLOGRAM","state":"RUNNING""#))])),
        Case("1 MB description", .lists(1), json: page([operation("BIG", metadata: metadata(#""state":"RUNNING","description":"\#(String(repeating: "森林 ", count: 350_000))""#))])),
        Case("100,000 operations in one page", .lists(100_000)) { _, _ in
            HostileServer.Answer(page((0..<100_000).map { operation("OP\($0)") }))
        },
        // Foundation's decoder replaces invalid sequences, so the rest of the page is still usable.
        Case("invalid UTF-8 body", .lists(1)) { _, _ in
            HostileServer.Answer(body: Array(#"{"operations":[{"name":"projects/p/operations/X","metadata":{"description":""#.utf8) + [0xFF, 0xFE, 0xC3] + Array(#""}}]}"#.utf8))
        },
        Case("invalid UTF-8 inside a string only", .lists(nil)) { _, _ in
            HostileServer.Answer(body: Array(#"{"operations":[{"name":"projects/p/operations/X","metadata":{"description":"a"#.utf8) + [0xC3, 0x28] + Array(#"b"}}]}"#.utf8))
        },
        Case("JSON nested 10,000 deep", .fails("could not be read"), json: String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)),
        Case("HTML 502 page from a proxy", .fails("502 Bad Gateway"), json: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", status: 502),
        Case("200 with an empty body", .fails("empty body"), json: ""),
        Case("204 No Content", .fails("empty body"), json: "", status: 204),
        Case("top level is an array", .fails("could not be read"), json: "[1,2,3]"),
        Case("top level is a number", .fails("could not be read"), json: "42"),
        Case("truncated JSON", .fails("could not be read"), json: #"{"operations":[{"name":"projects/p/operations/X","metad"#),
        Case("byte-order mark before the JSON", .lists(nil)) { _, _ in HostileServer.Answer(body: [0xEF, 0xBB, 0xBF] + Array(page([operation("B")]).utf8)) },
        Case("duplicate operations across pages", .lists(3)) { token, _ in
            token == nil ? HostileServer.Answer(page([operation("D1"), operation("D2")], next: "second")) : HostileServer.Answer(page([operation("D2"), operation("D3")]))
        },
        // The token is read from the page's first member before the page is decoded; the decoder reads the last
        // one. The listing follows the decoder's and drops the page it asked for on the first one's word.
        Case("nextPageToken twice in one page", .lists(2)) { token, _ in
            switch token {
            case nil: HostileServer.Answer(#"{"nextPageToken":"decoy","operations":[\#(operation("A"))],"nextPageToken":"real"}"#)
            case "real": HostileServer.Answer(page([operation("B")]))
            default: HostileServer.Answer(page([operation("DECOY1"), operation("DECOY2")]))
            }
        },
        Case("nextPageToken that repeats", .fails("same nextPageToken twice")) { _, _ in HostileServer.Answer(page([operation("R")], next: "again")) },
        Case("nextPageToken that never ends", .fails("no new operations")) { _, request in HostileServer.Answer(page([operation("SAME")], next: "token-\(request)")) },
        Case("empty pages that never end", .fails("no new operations")) { _, request in HostileServer.Answer(page([], next: "empty-\(request)")) },
        // The URL becomes too long for the server, which refuses it: a clear HTTP error, no loop.
        Case("1 MB nextPageToken", .fails("HTTP 400")) { token, _ in
            token == nil ? HostileServer.Answer(page([operation("L")], next: String(repeating: "t", count: 1_000_000))) : HostileServer.Answer(status: 400, #"{"error":{"code":400,"message":"token too long","status":"INVALID_ARGUMENT"}}"#)
        },
        Case("progress below 0", .lists(1), json: page([operation("P1", metadata: metadata(#""state":"RUNNING","progress":-5"#))])),
        Case("progress above 1", .lists(1), json: page([operation("P2", metadata: metadata(#""state":"RUNNING","progress":17.5"#))])),
        Case("progress as a string and as 1e400", .lists(2), json: page([operation("P3", metadata: metadata(#""progress":"NaN""#)), operation("P4", metadata: metadata(#""progress":1e400"#))])),
        Case("timestamps far in the past and future", .lists(2), json: page([
            operation("T1", metadata: metadata(#""createTime":"0001-01-01T00:00:00Z","updateTime":"9999-12-31T23:59:59.999999999Z""#)),
            operation("T2", metadata: metadata(#""createTime":"2024-02-30T25:61:00Z","startTime":"yesterday""#)),
        ])),
        Case("negative and huge attempts and work units", .lists(1), json: page([operation("A", metadata: metadata(#""attempt":-3,"priority":99999999999999999999,"stages":[{"displayName":"x","completeWorkUnits":-1,"totalWorkUnits":1e300}]"#))])),
        Case("escape sequences in every string field", .lists(1), json: page([#"{"name":"projects/p/operations/ESC\#(escapes)","metadata":{"state":"RUNNING\#(escapes)","type":"EXPORT\#(escapes)","description":"d\#(escapes)","scriptUri":"s\#(escapes)","destinationUris":["u\#(escapes)"],"notifications":[{"severity":"WARNING\#(escapes)","topic":"t\#(escapes)","detail":"x\#(escapes)"}],"stages":[{"displayName":"st\#(escapes)","description":"sd\#(escapes)"}]},"error":{"code":13,"message":"m\#(escapes)"}}"#])),
        Case("bidi overrides in descriptions", .lists(1), json: page([operation("BIDI", metadata: metadata(#""description":"abc\u202e\u2066\u2067\u2068\u2069\u200ffed""#))])),
        // Operations without a name cannot be told apart: the first is kept, later ones are duplicates.
        Case("name missing or empty", .lists(1), json: page([#"{"metadata":{"state":"RUNNING"}}"#, #"{"name":"","metadata":{"state":"RUNNING"}}"#])),
        Case("error envelope with a made-up status", .fails("HTTP 418"), json: #"{"error":{"code":418,"message":"","status":"TEAPOT"}}"#, status: 418),
        Case("error envelope with the code as a string", .fails("NOT_FOUND"), json: #"{"error":{"code":"404","message":"gone","status":"NOT_FOUND"}}"#, status: 404),
        Case("error message with escape sequences", .fails("PERMISSION_DENIED"), json: #"{"error":{"code":403,"message":"no\#(escapes)","status":"PERMISSION_DENIED"}}"#, status: 403),
        Case("500 with JSON but no error key", .fails("HTTP 500"), json: #"{"oops":true}"#, status: 500),
        Case("401 with an HTML body", .fails("HTTP 401"), json: "<html><title>Login</title></html>", status: 401),
        Case("redirect elsewhere", .fails("302"), { _, _ in HostileServer.Answer(status: 302, "", headers: [("Location", "https://evil.example/")]) }),
        // Refused when the head announces it, before a byte of the body is collected.
        Case("an answer that announces 300 MB", .fails("larger than 256 MB")) { _, _ in
            HostileServer.Answer(page([operation("HUGE")]), headers: [("Content-Length", "300000000")])
        },
        Case("valid JSON as text/plain", .lists(1)) { _, _ in HostileServer.Answer(contentType: "text/plain", page([operation("TXT")])) },
        Case("thousands of destination URIs", .lists(1), json: page([operation("URIS", metadata: metadata(#""destinationUris":[\#((0..<5000).map { "\"gs://b/\($0)\"" }.joined(separator: ","))]"#))])),
        Case("response and error both set", .lists(1), json: page([operation("BOTH", extra: #","done":true,"error":{"code":1},"response":{"x":1}"#)])),
        Case("deeply nested response value", .lists(nil), json: page([operation("NEST", extra: #","response":\#(String(repeating: "[", count: 300))1\#(String(repeating: "]", count: 300))"#)])),
        Case("numbers where strings belong", .lists(1), json: page([#"{"name":"projects/p/operations/NUM","metadata":{"state":5,"description":12.5,"type":true,"createTime":1700000000}}"#])),
        Case("unicode escapes of control characters", .lists(1), json: page([operation("CTRL", metadata: metadata(#""description":"\u0001\u0002\u0003\u0008\u000b\u000c\u001f\u0085\u2028\u2029""#))])),
    ]

    @Test(arguments: cases)
    func answerIsHandledSafely(_ hostile: Case) async throws {
        let server = try await HostileServer.start { hostile.script($0.pageToken, $0.number) }
        defer { Task { await server.stop() } }
        let client = OperationsClient(
            configuration: .init(endpoint: try ServiceEndpoint(server.baseURL), retryPolicy: .none, requestTimeout: .seconds(20)),
            tokenProvider: try StaticAccessTokenProvider(token: "t", source: "test")
        )
        var operations: [LongRunningOperation] = []
        do {
            try await client.listAll(project: "p", pageSize: 1000) { operations += $0 }
            guard case .lists(let count) = hostile.expectation else {
                Issue.record("\(hostile.name): listed \(operations.count) operations instead of failing")
                return
            }
            if let count { #expect(operations.count == count, "\(hostile.name)") }
        } catch let error as OperationsError {
            guard case .fails(let text) = hostile.expectation else {
                Issue.record("\(hostile.name): failed instead of listing: \(error)")
                return
            }
            #expect(error.description.contains(text), "\(hostile.name): \(error.description)")
            Self.expectInert(TerminalText.sanitize(error.description), hostile.name)
        }
        // Listed as received, as `eeops list` lists, the same operations are kept (or the same error given), and
        // their JSON lines carry nothing raw that a terminal acts on.
        var lines = ""
        var received = 0
        var jsonLines = OperationListWriter(format: .jsonl, terminalWidth: nil) { lines += String(decodingUTF8: $0) }
        do {
            try await client.listAllReceived(project: "p", pageSize: 1000) { page in
                received += page.count
                jsonLines.write(page)
            }
            if case .lists = hostile.expectation { #expect(received == operations.count, "\(hostile.name): as received") }
        } catch let error as OperationsError {
            guard case .fails(let text) = hostile.expectation else {
                Issue.record("\(hostile.name): failed as received instead of listing: \(error)")
                return
            }
            #expect(error.description.contains(text), "\(hostile.name): as received: \(error.description)")
        }
        let rawControl = lines.unicodeScalars.first { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
        #expect(rawControl == nil, "\(hostile.name): raw U+\(String(rawControl?.value ?? 0, radix: 16)) in the JSON lines")
        for line in lines.split(separator: "\n").prefix(50) {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(hostile.name): \(line.prefix(200))")
        }
        // Whatever was listed is drawn safely by the CLI's table and the TUI (first rows and details).
        var table = ""
        var writer = OperationListWriter(format: .table, terminalWidth: 120) { table += String(decodingUTF8: $0) }
        writer.begin()
        writer.write(Array(operations.prefix(50)))
        writer.end()
        Self.expectInert(table, hostile.name)
        var state = AppState(settings: .init(projects: ["p"], endpoint: server.baseURL, apiVersion: "v1", authSource: "test"),
                             size: TerminalSize(columns: 120, rows: 40))
        _ = Reducer.reduce(&state, .poller(.initialPage(Array(operations.prefix(2000)))))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Date())))
        Self.expectInert(AppView.render(state).text, hostile.name)
        _ = Reducer.reduce(&state, .key(.enter))
        Self.expectInert(AppView.render(state).text, hostile.name)
    }

    /// `list` and `get` print an operation's JSON as the server sent it: fields the model does not know stay,
    /// in the server's order, and an operation repeated on a later page is printed once.
    @Test func listedAndFetchedJSONKeepsFieldsTheModelDoesNotKnow() async throws {
        let unknown = #"{"name":"projects/p/operations/NEW","zFirst":1,"metadata":{"state":"RUNNING","futureField":{"x":[1,2.50]}},"done":false}"#
        let server = try await HostileServer.start { received in
            // Two pages, then the operation itself for `get`.
            if received.number > 2 { return HostileServer.Answer(unknown) }
            return HostileServer.Answer(received.pageToken == nil ? Self.page([unknown, Self.operation("A")], next: "2") : Self.page([Self.operation("A"), unknown]))
        }
        defer { Task { await server.stop() } }
        let client = OperationsClient(configuration: .init(endpoint: try ServiceEndpoint(server.baseURL), retryPolicy: .none),
                                      tokenProvider: try StaticAccessTokenProvider(token: "t", source: "test"))
        var lines = ""
        var writer = OperationListWriter(format: .jsonl, terminalWidth: nil) { lines += String(decodingUTF8: $0) }
        try await client.listAllReceived(project: "p") { page in writer.write(page) }
        #expect(lines == unknown + "\n" + Self.operation("A") + "\n")
        var fetched = ""
        var single = OperationListWriter(format: .jsonl, terminalWidth: nil) { fetched += String(decodingUTF8: $0) }
        single.write(try await client.getReceived(try OperationName(project: "p", operationID: "NEW")))
        #expect(fetched == unknown + "\n")
    }

    /// No control characters (but newlines between rows), no C1 controls, no bidi controls.
    static func expectInert(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = text.unicodeScalars.first { scalar in
            (scalar.value < 0x20 && scalar.value != 0x0A) || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value) || scalar.value == 0x200F
        }
        #expect(bad == nil, "\(name): raw U+\(String(bad?.value ?? 0, radix: 16)) would reach the terminal", sourceLocation: sourceLocation)
    }
}
