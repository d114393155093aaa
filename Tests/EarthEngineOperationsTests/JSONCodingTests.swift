import Foundation
import Testing
@testable import EarthEngineOperations

/// The model's own JSON reader and writer, checked against Foundation's `JSONSerialization` as an
/// independent parser.
@Suite("Reading and writing the API's JSON")
struct JSONCodingTests {
    static func acceptsWithReader(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return (try? JSONReader.readDocument(bytes.span) { reader throws(JSONReadError) in try reader.skipValue() }) != nil
    }

    static func acceptsWithFoundation(_ text: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
    }

    static let documents = [
        "{}", "[]", "0", "-0", "1.5e+3", "1E-2", "\"\"", "true", "false", "null", " {\"a\" : [1, {\"b\": null}] } ",
        "\"\\u00e9\\n\\\"\\\\\\/\"", "\"\\ud83c\\udf32\"", "{\"a\":1,\"a\":2}",
        "{\"a\":1,}", "[1,]", "01", "-", "1.", ".5", "1e", "+1", "\"\\x\"", "\"\\u12\"", "tru", "nul", "{\"a\" 1}",
        "{a:1}", "\"a", "[1 2]", "1 2", "", " ", "\"tab\there\"", "[", "{\"a\":}", "[,1]", "{,}", "nan", "Infinity",
    ]

    @Test(arguments: documents)
    func acceptsWhatFoundationAccepts(_ text: String) {
        #expect(Self.acceptsWithReader(text) == Self.acceptsWithFoundation(text), "\(text.debugDescription)")
    }

    @Test func refusesNestingDeeperThan512() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let bytes = Array(deep.utf8)
        let error = Result { () throws(JSONReadError) in try JSONReader.readDocument(bytes.span) { reader throws(JSONReadError) in try reader.skipValue() } }
        guard case .failure(let failure) = error else {
            Issue.record("600 levels were read")
            return
        }
        #expect(failure.message.contains("deeper than 512"))
        #expect(Self.acceptsWithReader(String(repeating: "[", count: 500) + String(repeating: "]", count: 500)))
    }

    static let fullOperation = LongRunningOperation(
        name: "projects/p/operations/FULL",
        metadata: OperationMetadata(
            typeURL: "type.googleapis.com/google.earthengine.v1.OperationMetadata", state: .failed,
            description: "森林 🌲 \"quoted\" back\\slash /slash", type: "EXPORT_IMAGE", priority: 200,
            createTime: Date(timeIntervalSince1970: 1_700_000_000.25), updateTime: Date(timeIntervalSince1970: 1_700_000_100.5),
            startTime: Date(timeIntervalSince1970: 1_700_000_010), endTime: Date(timeIntervalSince1970: 1_700_000_200.000001),
            progress: 0.375, stages: [OperationStage(displayName: "Copy", description: "Copy tiles", completeWorkUnits: 3, totalWorkUnits: 8)],
            attempt: 2, scriptUri: "https://code.earthengine.google.com/abc", destinationUris: ["gs://b/x", "gs://b/y"],
            notifications: [OperationNotification(severity: "WARNING", topic: "export", detail: "slow")], batchEecuUsageSeconds: 12.75
        ),
        done: true,
        error: Status(code: 3, message: "bad\nthing", details: [.object(["@type": .string("t"), "n": .number(-1.5), "l": .array([.null, .bool(true)])])]),
        response: .object(["z": .number(1e300), "a": .string("x")])
    )

    @Test(arguments: [false, true])
    func everyFieldRoundTrips(pretty: Bool) throws {
        let bytes = Self.fullOperation.jsonBytes(pretty: pretty)
        #expect(try LongRunningOperation(json: Data(bytes)) == Self.fullOperation)
        // Foundation reads the same document, with the API's field names and values.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["name"] as? String == "projects/p/operations/FULL")
        #expect(object["done"] as? Bool == true)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["@type"] as? String == "type.googleapis.com/google.earthengine.v1.OperationMetadata")
        #expect(metadata["description"] as? String == "森林 🌲 \"quoted\" back\\slash /slash")
        #expect(metadata["createTime"] as? String == "2023-11-14T22:13:20.250000Z")
        #expect(metadata["endTime"] as? String == "2023-11-14T22:16:40.000001Z")
        #expect(metadata["priority"] as? Int == 200)
        #expect(metadata["progress"] as? Double == 0.375)
        #expect(metadata["destinationUris"] as? [String] == ["gs://b/x", "gs://b/y"])
        #expect((metadata["stages"] as? [[String: Any]])?.first?["totalWorkUnits"] as? Int == 8)
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["message"] as? String == "bad\nthing")
        #expect((object["response"] as? [String: Any])?["z"] as? Double == 1e300)
    }

    /// Keys come out sorted at every level, so the same value always gives the same bytes.
    @Test func keysAreSorted() throws {
        let text = Self.fullOperation.jsonString(pretty: true)
        var keysByDepth: [Int: [String]] = [:]
        for line in text.split(separator: "\n") {
            let indent = line.prefix(while: { $0 == " " }).count
            let rest = line.dropFirst(indent)
            guard rest.hasPrefix("\""), let end = rest.dropFirst().firstIndex(of: "\""), rest[rest.index(after: end)...].hasPrefix(": ") else { continue }
            let key = String(rest[rest.index(after: rest.startIndex)..<end])
            if indent == 2 || indent == 4 { keysByDepth[indent, default: []].append(key) }
        }
        #expect(keysByDepth[2] == ["done", "error", "metadata", "name", "response"])
        #expect(keysByDepth[4] == ["code", "details", "message", "@type", "attempt", "batchEecuUsageSeconds", "createTime", "description",
                                   "destinationUris", "endTime", "notifications", "priority", "progress", "scriptUri", "stages", "startTime",
                                   "state", "type", "updateTime", "a", "z"])
    }

    /// A writer that starts small grows as it writes, escapes included, and can be emptied and used again for
    /// the further elements of an array opened elsewhere (a listing written page by page).
    @Test func theWriterGrowsAndStartsAgain() throws {
        let operation = Self.fullOperation
        let line = operation.jsonString()
        var writer = JSONWriter(capacity: 1)
        for _ in 0..<300 {
            operation.write(to: &writer)
            writer.endLine()
        }
        #expect(writer.withBytes { String(decodingUTF8: $0) } == String(repeating: line + "\n", count: 300))
        writer.restart(continuingArrayAfter: 2)
        JSONValue.string("\u{1B}").write(to: &writer)
        #expect(writer.bytes == Array(#","\u001b""#.utf8))
        var pretty = JSONWriter(pretty: true, capacity: 1)
        pretty.restart(continuingArrayAfter: 0)
        JSONValue.object(["a": .number(1)]).write(to: &pretty)
        #expect(pretty.withBytes { String(decodingUTF8: $0) } == "\n  {\n    \"a\": 1\n  }")
        pretty.restart()
        JSONValue.array([]).write(to: &pretty)
        #expect(pretty.bytes == Array("[]".utf8))
    }

    @Test func prettyLayout() {
        let operation = LongRunningOperation(name: "projects/p/operations/A", metadata: OperationMetadata(state: .running, stages: []))
        #expect(operation.jsonString(pretty: true) == "{\n  \"metadata\": {\n    \"state\": \"RUNNING\"\n  },\n  \"name\": \"projects/p/operations/A\"\n}")
        #expect(operation.jsonString() == #"{"metadata":{"state":"RUNNING"},"name":"projects/p/operations/A"}"#)
        #expect(JSONValue.object([:]).jsonString(pretty: true) == "{}")
        #expect(JSONValue.array([]).jsonString(pretty: true) == "[]")
    }

    /// Control characters, DEL and C1 controls are escaped, so JSON output never carries a terminal command.
    @Test func controlCharactersAreEscaped() throws {
        let hostile = "a\u{1B}[31mred\u{7}\u{7F}\u{85}\u{9B}2J\t\r\n\u{0}é/"
        let text = JSONValue.string(hostile).jsonString()
        #expect(text == #""a\u001b[31mred\u0007\u007f\u0085\u009b2J\t\r\n\u0000é/""#)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(try JSONValue(json: Data(text.utf8)) == .string(hostile))
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? String == hostile)
    }

    @Test func numbersReadLeniently() throws {
        func metadata(_ json: String) throws -> OperationMetadata { try OperationMetadata(json: Data(json.utf8)) }
        #expect(try metadata(#"{"priority":3.0}"#).priority == 3)
        #expect(try metadata(#"{"priority":"42"}"#).priority == 42)
        #expect(try metadata(#"{"priority":-7}"#).priority == -7)
        #expect(try metadata(#"{"priority":1.5}"#).priority == nil)
        #expect(try metadata(#"{"priority":1e300}"#).priority == nil)
        #expect(try metadata(#"{"priority":9007199254740993}"#).priority == 9_007_199_254_740_993)
        #expect(try metadata(#"{"priority":99999999999999999999}"#).priority == nil)
        #expect(try metadata(#"{"progress":1e400}"#).progress == nil)
        #expect(try metadata(#"{"progress":"0.25"}"#).progress == 0.25)
        #expect(try metadata(#"{"progress":null,"attempt":true}"#).progress == nil)
        #expect(try metadata(#"{"batchEecuUsageSeconds":-0.0}"#).batchEecuUsageSeconds?.sign == .minus)
        // A response holding a number no Double can hold is left out rather than made infinite.
        #expect(try LongRunningOperation(json: Data(#"{"name":"n","response":{"a":1e400}}"#.utf8)).response == nil)
    }

    @Test func keysWithEscapesAndRepeatedKeys() throws {
        let operation = try LongRunningOperation(json: Data(#"{"n\u0061me":"first","metadata":{"state":"RUNNING"},"name":"second"}"#.utf8))
        #expect(operation.name == "second")
        #expect(try LongRunningOperation(json: Data(#"{"n\u0061me":"only"}"#.utf8)).name == "only")
    }

    /// The empty response that nearly every succeeded operation has is recognised by its exact bytes and shared;
    /// any other spelling of it, or anything more, is read the ordinary way, to the same value where it is the same.
    @Test(arguments: [
        (#"{"@type":"type.googleapis.com/google.protobuf.Empty"}"#, true),
        (#"{ "@type" : "type.googleapis.com/google.protobuf.Empty" }"#, true),
        (#"{"@type":"type.googleapis.com/google.protobuf.Empty","extra":1}"#, false),
        (#"{"@type":"type.googleapis.com/google.protobuf.Emptyish"}"#, false),
        (#"{"@type":"type.googleapis.com/google.protobuf.Empty""#, false),
    ])
    func theEmptyResponseIsReadByItsBytes(response: String, isEmpty: Bool) throws {
        let json = #"{"name":"projects/p/operations/E","done":true,"response":\#(response)}"#
        guard isEmpty || response.hasSuffix("}") else {
            #expect(throws: JSONReadError.self) { try LongRunningOperation(json: Data(json.utf8)) }
            return
        }
        let operation = try LongRunningOperation(json: Data(json.utf8))
        #expect((operation.response == LongRunningOperation.emptyResponse) == isEmpty, "\(response)")
        #expect(operation.response == (try JSONValue(json: Data(response.utf8))), "\(response)")
        #expect(operation.state == .succeeded)
    }

    /// The word-at-a-time searches find exactly the byte a byte-by-byte loop finds: every special byte, at
    /// every offset within and across the 8-byte words, after runs of ordinary ASCII and UTF-8.
    /// What `list` and `get` print: the server's JSON with every member in its order, numbers as spelled, and
    /// strings escaped as the writer escapes them.
    @Test func copiedValuesKeepWhatTheServerSent() throws {
        let raw: [UInt8] = Array(#"{ "zeta": [1, 2.50, -0, 1e400, true, null, {}, [] ], "alpha" : "\u001b[2J plain", "#.utf8)
            + Array(#""c1": "x"#.utf8) + [0xC2, 0x85, 0x7F] + Array(#"y", "bad": "a"#.utf8) + [0xFF, 0xC3] + Array(#"b", "future": {"deep": {"er": "é"}} }"#.utf8)
        func copied(pretty: Bool) throws -> String {
            var writer = JSONWriter(pretty: pretty)
            try JSONReader.readDocument(raw.span) { (reader) throws(JSONReadError) in try reader.copyValue(to: &writer) }
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        #expect(try copied(pretty: false) == #"{"zeta":[1,2.50,-0,null,true,null,{},[]],"alpha":"\u001b[2J plain","c1":"x\u0085\u007fy","bad":"a\#u{FFFD}\#u{FFFD}b","future":{"deep":{"er":"é"}}}"#)
        #expect(try copied(pretty: true).hasPrefix("{\n  \"zeta\": [\n    1,\n    2.50,"))
        #expect(try JSONSerialization.jsonObject(with: Data(copied(pretty: true).utf8)) is [String: Any])
        for broken in [#"{"a":}"#, #"[1 2]"#, #"{"a":"b"#, #"{"a":tru}"#, #"{"a":01}"#] {
            var writer = JSONWriter()
            #expect(throws: JSONReadError.self, "\(broken)") {
                let bytes = Array(broken.utf8)
                try JSONReader.readDocument(bytes.span) { (reader) throws(JSONReadError) in try reader.copyValue(to: &writer) }
            }
        }
    }

    /// `list` copies each operation as the server sent it, compact, in one pass; what it is not sure of it
    /// leaves to the decoder.
    @Test func theCompactorKeepsWhatItIsSureOf() throws {
        func compact(_ bytes: [UInt8]) -> (JSONCompactor.Outcome, String) {
            var output: [UInt8] = Array("kept|".utf8)
            let outcome = JSONCompactor.append(bytes.span, to: &output)
            return (outcome, String(decoding: output.dropFirst(5), as: UTF8.self))
        }
        let spaced = Array(#" { "name" : "projects/p/operations/A", "n": [ 1, -0.5, 0, true, false, null, { }, [ ] ], "s": "a\"b\u001b\/", "z": {"y": "森林 🌲"} } "#.utf8)
        #expect(compact(spaced) == (.object(name: "projects/p/operations/A"), #"{"name":"projects/p/operations/A","n":[1,-0.5,0,true,false,null,{},[]],"s":"a\"b\u001b\/","z":{"y":"森林 🌲"}}"#))
        // DEL and the C1 controls are escaped, as the writer escapes them.
        let controls = Array(#"{"d":"x"#.utf8) + [0x7F, 0xC2, 0x9B] + Array(#"y"}"#.utf8)
        #expect(compact(controls) == (.object(name: ""), #"{"d":"x\u007f\u009by"}"#))
        // The name as the decoder reads it: the last one, and "" when it is not a string.
        #expect(compact(Array(#"{"name":"a","name":"b"}"#.utf8)).0 == .object(name: "b"))
        #expect(compact(Array(#"{"name":7}"#.utf8)).0 == .object(name: ""))
        #expect(compact(Array(#"{"x":{"name":"inner"}}"#.utf8)).0 == .object(name: ""))
        for value in [#"[1]"#, #""text""#, "12", "null", " true "] {
            #expect(compact(Array(value.utf8)) == (.notAnObject, ""), "\(value)")
        }
        let unsure: [[UInt8]] = [
            Array(#"{"a":1e5}"#.utf8), Array(#"{"a\u0062":1}"#.utf8), Array(#"{"name":"\u0041"}"#.utf8), Array(#"{"a":[1,]}"#.utf8),
            Array(#"{"a":01}"#.utf8), Array(#"{"a":"b"#.utf8), Array(#"{"a":tru}"#.utf8), Array(#"{"a":"\x"}"#.utf8), Array(#"{"a":1}x"#.utf8),
            Array(#"{"a":"b"#.utf8) + [0x0A] + Array(#""}"#.utf8), Array(#"{"a":"b"#.utf8) + [0xFF] + Array(#""}"#.utf8),
            Array(repeating: UInt8(ascii: "["), count: 65) + Array(repeating: UInt8(ascii: "]"), count: 65), [],
        ]
        for bytes in unsure {
            #expect(compact(bytes) == (.unsure, ""), "\(String(decoding: bytes, as: UTF8.self))")
        }
        // Whatever it keeps reads back as what it was given.
        let parsed = try JSONSerialization.jsonObject(with: Data(spaced)) as? NSDictionary
        #expect(try JSONSerialization.jsonObject(with: Data(compact(spaced).1.utf8)) as? NSDictionary == parsed)
    }

    /// `list --format jsonl` writes a page's lines as they are stored: in one run for a whole page, and around
    /// the operations that a filter or the dropping of repeats left out.
    @Test func aReceivedPageLendsItsLinesInRuns() throws {
        let text = #"{"operations":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}],"nextPageToken":"T"}"#
        let bytes = Array(text.utf8)
        let received = ReceivedPage(page: bytes.span)
        let page = try #require(received)
        func runs(_ page: ReceivedPage) -> [String] {
            var runs: [String] = []
            page.withJSONLines { runs.append(String(decodingUTF8: $0)) }
            return runs
        }
        #expect(runs(page) == [#"{"name":"a"}\#n{"name":"b"}\#n{"name":"c"}\#n{"name":"d"}\#n"#])
        #expect(runs(page.selecting([0, 1, 3])) == [#"{"name":"a"}\#n{"name":"b"}\#n"#, #"{"name":"d"}\#n"#])
        #expect(runs(page.selecting([2, 1])) == [#"{"name":"c"}\#n"#, #"{"name":"b"}\#n"#])
        #expect(runs(page.selecting([])).isEmpty)
        let single = Array(#"{"name":"x", "done": true}"#.utf8)
        let receivedOne = ReceivedPage(operation: single.span)
        let one = try #require(receivedOne)
        #expect(runs(one) == [#"{"name":"x","done":true}\#n"#])
    }

    @Test func theCompactorReadsAListPageInOnePass() {
        func page(_ text: String) -> (JSONCompactor.Page?, String) {
            var output: [UInt8] = []
            let bytes = Array(text.utf8)
            let page = JSONCompactor.appendPage(bytes.span, to: &output)
            return (page, String(decoding: output, as: UTF8.self))
        }
        let (listed, lines) = page(#" {"nextPageToken" : "T2", "kind": {"x": [1]}, "operations": [ {"name": "a"}, 7, "s", null, {"b": 1} ] } "#)
        #expect(listed == JSONCompactor.Page(elements: [0..<12, 13..<20], names: ["a", ""], nextPageToken: "T2"))
        #expect(lines == "{\"name\":\"a\"}\n{\"b\":1}\n")
        #expect(page(#"{"operations":[],"nextPageToken":""}"#).0 == JSONCompactor.Page())
        #expect(page(#"{"nextPageToken":null}"#).0 == JSONCompactor.Page())
        #expect(page("{}").0 == JSONCompactor.Page())
        for unsure in [#"{"operations":[],"operations":[]}"#, #"{"operations":"nope"}"#, #"{"nextPageToken":5}"#, #"{"operations":[{"a":1e3}]}"#,
                       #"{"operations":[]} x"#, #"[]"#, #"{"operations":[1,]}"#, #"{"operations":[{"a":1}]"#] {
            #expect(page(unsure).0 == nil, "\(unsure)")
        }
    }

    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x90, 0x8F, 0xF4, 0xF5, 0xFF]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...6, using: &random)).map { _ in interesting.randomElement(using: &random)! }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let valid = UTF8Check.isValid(bytes.span)
            #expect(valid == expected, "\(bytes)")
        }
        for text in ["", "ascii", "é", "森林", "🌲", "\u{10FFFF}", "\u{D7FF}\u{E000}"] {
            let valid = UTF8Check.isValid(text.utf8.span)
            #expect(valid)
        }
    }

    @Test func byteScanAgreesWithAByteLoop() {
        let special: [UInt8] = [0x00, 0x09, 0x1F, 0x22, 0x5C, 0x7F, 0xC2]
        let ordinary: [UInt8] = [0x20, 0x21, 0x23, 0x41, 0x5B, 0x5D, 0x7E, 0x80, 0x9F, 0xC1, 0xC3, 0xE6, 0xFF]
        var random = SystemRandomNumberGenerator()
        var texts: [[UInt8]] = []
        for length in 0...26 {
            for position in 0..<length {
                for byte in special {
                    var text = (0..<length).map { _ in ordinary.randomElement(using: &random)! }
                    text[position] = byte
                    texts.append(text)
                }
            }
            texts.append((0..<length).map { _ in ordinary.randomElement(using: &random)! })
            texts.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        // One expectation for all of them: tens of thousands of #expect calls took 18 s under the thread
        // sanitizer and starved the timing-sensitive tests that run beside this one.
        var disagreements: [String] = []
        var searches = 0
        for text in texts {
            for start in 0...text.count {
                let reader = text[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? text.count
                let writer = text[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 } ?? text.count
                if ByteScan.firstQuoteBackslashOrControl(in: text.span, from: start) != reader { disagreements.append("reader: \(text) from \(start)") }
                if ByteScan.firstToEscape(in: text.span, from: start) != writer { disagreements.append("writer: \(text) from \(start)") }
                searches += 2
            }
        }
        #expect(searches > 50_000)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    @Test func errorsSayWhatAndWhere() {
        let result = Result { () throws(JSONReadError) in try ListOperationsResponse(json: Data(#"{"operations":[{"name":"x"} {"name":"y"}]}"#.utf8)) }
        guard case .failure(let error) = result else {
            Issue.record("a missing comma was accepted")
            return
        }
        #expect(error.description == "expected ',' or ']' in an array at byte 28")
        let notAnObject = Result { () throws(JSONReadError) in try LongRunningOperation(json: Data("[1]".utf8)) }
        #expect(throws: JSONReadError.self) { try notAnObject.get() }
    }
}
