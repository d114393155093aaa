import Foundation
import Testing
@testable import EarthEngineOperations

@Suite("Decoding the API's JSON")
struct ModelDecodingTests {
    func decode<T: JSONReadable>(_ type: T.Type, _ json: String) throws -> T {
        try T(json: Data(json.utf8))
    }

    /// Operations share one immutable object between copies, yet behave as values.
    @Test func operationsAreValues() {
        let original = LongRunningOperation(name: "projects/p/operations/A", metadata: OperationMetadata(state: .running))
        var copy = original
        copy.done = true
        copy.error = Status(code: 1, message: "Cancelled.")
        #expect(original.state == .running && !original.done && original.error == nil)
        #expect(copy.state == .running && copy.done)
        copy.metadata = nil
        #expect(copy.state == .cancelled)
        let twin = LongRunningOperation(name: "projects/p/operations/A", metadata: OperationMetadata(state: .running))
        #expect(twin == original && twin.hashValue == original.hashValue)
        #expect(copy != original)
    }

    @Test func decodesAFullOperation() throws {
        let operation = try decode(LongRunningOperation.self, """
        {"name": "projects/p1/operations/ABC", "done": true,
         "metadata": {"@type": "type.googleapis.com/google.earthengine.v1.OperationMetadata", "state": "SUCCEEDED",
           "description": "export", "type": "EXPORT_IMAGE", "priority": 100, "createTime": "2024-05-01T10:00:00Z",
           "updateTime": "2024-05-01T10:05:00.5Z", "startTime": "2024-05-01T10:00:01.123456789Z", "endTime": "2024-05-01T10:05:00+02:00",
           "progress": 1, "stages": [{"displayName": "Compute", "completeWorkUnits": 4, "totalWorkUnits": 4, "description": "d"}],
           "attempt": 2, "scriptUri": "https://code.earthengine.google.com/x", "destinationUris": ["gs://b/x"],
           "notifications": [{"severity": "WARNING", "topic": "Export", "detail": "careful"}], "batchEecuUsageSeconds": 12.5},
         "response": {"@type": "type.googleapis.com/google.protobuf.Empty"}, "futureField": [1, 2]}
        """)
        #expect(operation.name == "projects/p1/operations/ABC")
        #expect(operation.done)
        #expect(operation.state == .succeeded)
        let metadata = try #require(operation.metadata)
        #expect(metadata.type == "EXPORT_IMAGE")
        #expect(metadata.attempt == 2)
        #expect(metadata.stages == [OperationStage(displayName: "Compute", description: "d", completeWorkUnits: 4, totalWorkUnits: 4)])
        #expect(metadata.notifications.first?.detail == "careful")
        #expect(metadata.destinationUris == ["gs://b/x"])
        #expect(metadata.batchEecuUsageSeconds == 12.5)
        #expect(metadata.createTime == Date(timeIntervalSince1970: 1_714_557_600))
        #expect(metadata.endTime == Date(timeIntervalSince1970: 1_714_557_600 + 300 - 7200))
        #expect(abs(metadata.startTime!.timeIntervalSince1970 - 1_714_557_601.123456789) < 1e-6)
        #expect(operation.response == .object(["@type": .string("type.googleapis.com/google.protobuf.Empty")]))
    }

    @Test func runningOperationWithoutDoneKeyIsNotDone() throws {
        let operation = try decode(LongRunningOperation.self, #"{"name":"projects/p/operations/X","metadata":{"state":"RUNNING"}}"#)
        #expect(!operation.done)
        #expect(operation.state == .running)
    }

    @Test func nullsAndWrongTypesDecodeAsAbsent() throws {
        let operation = try decode(LongRunningOperation.self, """
        {"name": "projects/p/operations/X", "done": null, "error": "oops", "metadata": {"state": 7, "description": null,
         "type": ["x"], "priority": "120", "createTime": "yesterday", "progress": "0.5", "stages": [null, {"displayName": 3}, 5],
         "attempt": 1.0, "destinationUris": "gs://x", "notifications": {"a": 1}, "batchEecuUsageSeconds": {"x": 1}}}
        """)
        let metadata = try #require(operation.metadata)
        #expect(metadata.state == nil)
        #expect(metadata.description == nil)
        #expect(metadata.type == nil)
        #expect(metadata.priority == 120)
        #expect(metadata.createTime == nil)
        #expect(metadata.progress == 0.5)
        #expect(metadata.stages == [OperationStage(displayName: nil)])
        #expect(metadata.attempt == 1)
        #expect(metadata.destinationUris.isEmpty)
        #expect(metadata.notifications.isEmpty)
        #expect(metadata.batchEecuUsageSeconds == nil)
        #expect(operation.error == nil)
        #expect(!operation.done)
    }

    @Test func missingMetadataFallsBackOnDoneAndError() throws {
        let cancelled = try decode(LongRunningOperation.self, #"{"name":"projects/p/operations/X","done":true,"error":{"code":1,"message":"Cancelled."}}"#)
        #expect(cancelled.metadata == nil)
        #expect(cancelled.state == .cancelled)
        let failed = try decode(LongRunningOperation.self, #"{"name":"projects/p/operations/X","done":true,"error":{"code":13}}"#)
        #expect(failed.state == .failed)
        let succeeded = try decode(LongRunningOperation.self, #"{"name":"projects/p/operations/X","done":true}"#)
        #expect(succeeded.state == .succeeded)
        let unknown = try decode(LongRunningOperation.self, #"{}"#)
        #expect(unknown.name == "")
        #expect(unknown.state == .unspecified)
    }

    @Test(arguments: [("READY", OperationState.pending), ("CANCEL_REQUESTED", .cancelling), ("COMPLETED", .succeeded),
                      ("PENDING", .pending), ("running", .running), ("CANCELLED", .cancelled), ("FAILED", .failed),
                      ("STATE_UNSPECIFIED", .unspecified), ("PAUSED", .unknown("PAUSED")), ("Completed", .succeeded),
                      ("paused", .unknown("paused"))])
    func statesAndLegacyAliases(raw: String, expected: OperationState) throws {
        let metadata = try decode(OperationMetadata.self, "{\"state\": \"\(raw)\"}")
        #expect(metadata.state == expected)
    }

    @Test func unknownStateIsKeptAndReencoded() throws {
        let metadata = try decode(OperationMetadata.self, #"{"state":"PAUSED"}"#)
        let encoded = String(decoding: Data(metadata.jsonBytes()), as: UTF8.self)
        #expect(encoded.contains("\"PAUSED\""))
        #expect(!(metadata.state?.isTerminal ?? true))
        #expect(metadata.state?.isCancellable == true)
    }

    @Test func listResponseSkipsBadElementsAndEmptyToken() throws {
        let page = try decode(ListOperationsResponse.self, #"{"operations":[{"name":"projects/p/operations/A"}, 42, {"name":"projects/p/operations/B"}],"nextPageToken":""}"#)
        #expect(page.operations.map(\.name) == ["projects/p/operations/A", "projects/p/operations/B"])
        #expect(page.nextPageToken == nil)
        let empty = try decode(ListOperationsResponse.self, "{}")
        #expect(empty.operations.isEmpty)
    }

    @Test func encodingRoundTrips() throws {
        let original = LongRunningOperation(
            name: "projects/p/operations/A",
            metadata: OperationMetadata(state: .running, description: "森林 🌲", type: "EXPORT_IMAGE", createTime: Date(timeIntervalSince1970: 1_700_000_000.25), progress: 0.5),
            done: false
        )
        let data = Data(original.jsonBytes())
        #expect(try LongRunningOperation(json: data) == original)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("2023-11-14T22:13:20.250000Z"))
        #expect(!text.contains("\"done\""))
    }

    @Test func deeplyNestedJSONFailsCleanly() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: (any Error).self) { try decode(ListOperationsResponse.self, deep) }
    }

    /// The bits of a value: two strings or dictionaries with equal bits share one heap object.
    func storage<T>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

    /// Values that repeat across operations are kept once, whichever page they came in; unique or long ones are not.
    @Test func repeatedValuesAreSharedAcrossOperations() throws {
        let long = String(repeating: "x", count: 300)
        func page(_ id: String) -> String {
            """
            {"operations": [{"name": "projects/p/operations/\(id)", "done": true,
             "error": {"code": 1, "message": "Cancelled by the user at the console."},
             "response": {"@type": "type.googleapis.com/google.protobuf.Empty"},
             "metadata": {"@type": "type.googleapis.com/google.earthengine.v1.OperationMetadata", "description": "unique \(id) description",
               "stages": [{"displayName": "Compute Features", "description": "Compute Features for export features \(long)"}]}}]}
            """
        }
        let first = try decode(ListOperationsResponse.self, page("A")).operations[0]
        let second = try decode(ListOperationsResponse.self, page("B")).operations[0]
        let (a, b) = (try #require(first.metadata), try #require(second.metadata))
        #expect(a.typeURL == b.typeURL && storage(a.typeURL) == storage(b.typeURL))
        #expect(storage(a.stages[0].displayName) == storage(b.stages[0].displayName))
        #expect(first.response == second.response && storage(first.response) == storage(second.response))
        #expect(first.error == second.error && storage(first.error?.message) == storage(second.error?.message))
        // Unique, and too long to be worth a place in the table.
        #expect(storage(a.description) != storage(b.description))
        #expect(a.stages[0].description == b.stages[0].description && storage(a.stages[0].description) != storage(b.stages[0].description))
    }

    /// The strings a page repeats are looked up by their bytes among those already read in the same document: each
    /// of 300 different strings, many sharing a slot of that small table, a few with escapes or bytes that are not
    /// UTF-8, reads back as it was written, and a repeat shares the copy read before it.
    @Test func repeatedStringsOfADocumentAreReadExactlyAndShared() throws {
        let names: [(json: String, text: String)] = (0..<300).map { index in
            switch index % 10 {
            case 3: ("Stage \\u00e9scaped number \(index)", "Stage éscaped number \(index)")
            // The same length, first and last 8 bytes: the same slot, told apart by the bytes between.
            case 5: ("Prefix__\(100 + index)__Suffix!", "Prefix__\(100 + index)__Suffix!")
            case 7: ("Stage \(index) of \(String(repeating: "long ", count: index % 40))", "Stage \(index) of \(String(repeating: "long ", count: index % 40))")
            default: ("Compute stage number \(index)", "Compute stage number \(index)")
            }
        }
        var json = #"{"operations":["#
        for round in 0..<3 {
            for (index, name) in names.enumerated() {
                if round + index > 0 { json += "," }
                json += #"{"name":"projects/p/operations/O\#(round)-\#(index)","metadata":{"type":"\#(name.json)","stages":[{"displayName":"\#(name.json)"}]}}"#
            }
        }
        json += "]}"
        var bytes = Array(json.utf8)
        // Bytes that are not UTF-8 inside one of the names, in every round: read as U+FFFD, the same each time.
        let broken = Array(#"Compute stage number 11""#.utf8)
        var positions: [Int] = []
        for start in 0...(bytes.count - broken.count) where Array(bytes[start..<(start + broken.count)]) == broken { positions.append(start) }
        for position in positions { bytes[position + 8] = 0xFF }
        let operations = try ListOperationsResponse(json: bytes.span).operations
        #expect(operations.count == 900)
        var mismatches: [String] = []
        for (offset, operation) in operations.enumerated() {
            let index = offset % names.count
            let expected = index == 11 ? "Compute \u{FFFD}tage number 11" : names[index].text
            let type = operation.metadata?.type, displayName = operation.metadata?.stages.first?.displayName
            if type != expected || displayName != expected { mismatches.append("\(offset): \(type ?? "nil") / \(displayName ?? "nil")") }
            // The stage's name follows the type it repeats, so it is found in the document's table whatever
            // the process-wide one (``Shared``) holds. Not the one with broken bytes: the table compares the
            // bytes read with those of the string it kept, which has U+FFFD in their place.
            if index != 11, expected.utf8.count >= 16, storage(type) != storage(displayName) { mismatches.append("\(offset) is not shared") }
        }
        #expect(positions.count == 6)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Optional numbers kept in 8 bytes read back as they were set; only `Int.min` (no API field carries it) reads as absent.
    @Test func compactOptionalsRoundTrip() {
        for value: Int? in [nil, 0, 1, -1, 100, Int.max, Int.min + 1] { #expect(CompactOptional(wrappedValue: value).wrappedValue == value) }
        #expect(CompactOptional<Int>(wrappedValue: Int.min).wrappedValue == nil)
        for value: Double? in [nil, 0, -0.0, 0.077, 953.7063260526246, .infinity, -.infinity, .greatestFiniteMagnitude] {
            #expect(CompactOptional(wrappedValue: value).wrappedValue == value)
        }
        #expect(CompactOptional<Double>(wrappedValue: .nan).wrappedValue?.isNaN == true)
        #expect(CompactOptional<Double>(wrappedValue: Double(bitPattern: Double.absentBits)).wrappedValue?.isNaN == true)
        let date = Date(timeIntervalSince1970: 1_714_557_601.123456)
        #expect(CompactOptional(wrappedValue: date).wrappedValue == date && CompactOptional<Date>(wrappedValue: nil).wrappedValue == nil)
        #expect(MemoryLayout<CompactOptional<Date>>.size == 8)
        var stage = OperationStage(displayName: "Compute", completeWorkUnits: 3, totalWorkUnits: nil)
        stage.totalWorkUnits = 9
        stage.completeWorkUnits = nil
        #expect(stage.totalWorkUnits == 9 && stage.completeWorkUnits == nil)
        #expect(stage != OperationStage(displayName: "Compute", completeWorkUnits: 3, totalWorkUnits: 9))
    }

    @Test func sharedValuesStayWithinTheirCapacity() {
        let table = SharedValues<String>(capacity: 2)
        let kept = table.shared(String(repeating: "a", count: 20))
        _ = table.shared(String(repeating: "b", count: 20))
        let third = String(repeating: "c", count: 20)
        #expect(storage(table.shared(third)) == storage(third))
        #expect(table.count == 2)
        // A value already held is still shared once the table is full.
        #expect(storage(table.shared(String(repeating: "a", count: 20))) == storage(kept))
        // Only small JSON values and errors are worth a place.
        #expect(Shared.isWorthSharing(.object(["@type": .string("type.googleapis.com/google.protobuf.Empty")])))
        #expect(!Shared.isWorthSharing(.array(Array(repeating: .number(1), count: 20))))
        #expect(!Shared.isWorthSharing(.string(String(repeating: "x", count: 300))))
    }
}

@Suite("RFC 3339 timestamps")
struct TimestampTests {
    @Test(arguments: ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.1Z", "2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00.123456Z",
                      "2024-05-01T10:00:00.123456789Z", "2024-05-01T12:00:00+02:00", "2024-05-01T05:30:00-04:30", "2024-05-01t10:00:00z"])
    func parsesValidForms(text: String) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - 1_714_557_600) < 1)
    }

    @Test(arguments: ["", "2024-05-01", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-05-01T10:00:00", "2024-05-01T10:00:00.Z",
                      "2024-05-01T10:00:00.1234567890Z", "2024-05-01T25:00:00Z", "2024-05-01T10:00:00+2:00", "x024-05-01T10:00:00Z",
                      "2024-05-01T10:00:00+02:0", "2024-05-01T10:00:00.123", "2024-05-01T10:00:00Zx", "2024-05-01X10:00:00Z",
                      "2024-05-01T10:60:00Z", "2024-05-01T10:00:00+24:00", "2024-05-01T10:00:00.12a4Z", "2024-00-01T10:00:00Z"])
    func rejectsInvalidForms(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatsWithFixedDigits() {
        let date = Date(timeIntervalSince1970: 1_714_557_600.25)
        #expect(Timestamp.format(date) == "2024-05-01T10:00:00.250000Z")
        #expect(Timestamp.format(date, fractionDigits: 0) == "2024-05-01T10:00:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_714_557_600.9999999)) == "2024-05-01T10:00:01.000000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0), fractionDigits: 3) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000000Z")
    }

    /// Fractions are read to the digit: every microsecond written reads back to the same text.
    @Test func microsecondsRoundTrip() throws {
        var random = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let seconds = Int.random(in: 0...4_102_444_800, using: &random), micros = Int.random(in: 0..<1_000_000, using: &random)
            let text = Timestamp.format(Date(timeIntervalSince1970: Double(seconds)), fractionDigits: 0).dropLast() + "." + String(format: "%06d", micros) + "Z"
            guard let date = Timestamp.parse(String(text)) else { mismatches.append("\(text) not read"); continue }
            if Timestamp.format(date) != text { mismatches.append("\(text) -> \(Timestamp.format(date))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func farPastAndFutureRoundTrip() throws {
        for text in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-07-20T20:17:40Z"] {
            let date = try #require(Timestamp.parse(text))
            #expect(Timestamp.format(date, fractionDigits: 0) == text)
        }
    }
}
