import Foundation
import Testing
@testable import EarthEngineOperations

@Suite("Reusing unchanged operations between listings")
struct DecodeCacheTests {
    /// The fingerprint that keys the cache reads every byte, the tail after the last 16 included: flipping any
    /// one bit of an operation's JSON, at any length, gives another fingerprint; the same bytes, the same one.
    @Test func fingerprintsTellEveryOneBitChangeApart() {
        for length in [0, 1, 7, 15, 16, 17, 31, 33, 700] {
            let original = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let reference = original.span.fingerprint()
            #expect(Array(original).span.fingerprint() == reference)
            var seen: Set<UInt64> = [reference]
            for position in 0..<length {
                for bit in 0..<8 {
                    var changed = original
                    changed[position] ^= 1 << bit
                    seen.insert(changed.span.fingerprint())
                }
            }
            #expect(seen.count == 1 + length * 8, "length \(length)")
        }
    }

    static let running = #"{"name":"projects/p/operations/A","metadata":{"state":"RUNNING","description":"brackets ] } [ { and \"quotes\" and \\ slash","progress":0.5}}"#
    static let done = #"{"name":"projects/p/operations/B","done":true,"response":{"operations":[1,2],"nextPageToken":"inner"},"metadata":{"state":"SUCCEEDED"}}"#

    /// Pages the scanner must read exactly as the decoder does (or decline, and leave them to it).
    static let pages: [String] = [
        #"{"operations":[\#(running),\#(done)],"nextPageToken":"T1"}"#,
        "{\n  \"nextPageToken\" : \"T2\",\n  \"operations\" : [\n    \(running) ,\n    \(done)\n  ]\n}\n",
        #"{"operations":[]}"#,
        #"{}"#,
        #"{"operations":[\#(done)],"nextPageToken":null,"unknown":{"a":[1,{"b":"]"}]}}"#,
        #"{"operations":[\#(done),null,7,"x",{"name":"projects/p/operations/C"}]}"#,
        #"{"operations":[\#(done)],"nextPageToken":42}"#,
        #"{"operations":[\#(done)],"operations":[\#(running)]}"#,
        #"{"op\u0065rations":[\#(done)]}"#,
        #"{"operations":[\#(done)"#,
        #"{"operations":null}"#,
        #"[]"#,
        #"{"operations":[{"name":"projects/p/operations/D","metadata":{"state":"RUNNING","description":"\u001b]0;title\u0007"}}]}"#,
    ]

    func decodeWhole(_ text: String) -> ListOperationsResponse? {
        try? ListOperationsResponse(json: Data(text.utf8))
    }

    func decodeCached(_ text: String, _ cache: OperationDecodeCache) -> ListOperationsResponse? {
        let bytes = Array(text.utf8)
        return ListPageScanner.scan(bytes.span).flatMap { cache.decodePage(bytes.span, scanned: $0) }
    }

    @Test(arguments: pages)
    func theCacheGivesWhatTheDecoderGivesOrDeclines(page: String) {
        let cache = OperationDecodeCache()
        cache.beginListing()
        guard let first = decodeCached(page, cache) else { return } // declined: the ordinary decoder takes it
        #expect(first == decodeWhole(page), "\(page)")
        let second = decodeCached(page, cache)
        #expect(second == first, "the same page again, from the cache")
    }

    @Test func plainPagesAreNotDeclined() {
        let cache = OperationDecodeCache()
        for page in Self.pages.prefix(5) { #expect(decodeCached(page, cache) != nil, "\(page)") }
    }

    @Test func onlyChangedOperationsAreDecodedAgain() throws {
        let cache = OperationDecodeCache()
        cache.beginListing()
        let before = #"{"operations":[\#(Self.running),\#(Self.done)]}"#
        _ = try #require(decodeCached(before, cache))
        #expect(cache.counts == (hits: 0, misses: 2))
        cache.endListing()
        cache.beginListing()
        let moved = Self.running.replacingOccurrences(of: "\"RUNNING\"", with: "\"CANCELLING\"")
        let after = try #require(decodeCached(#"{"operations":[\#(moved),\#(Self.done)]}"#, cache))
        #expect(cache.counts == (hits: 1, misses: 3))
        #expect(after.operations.map(\.state) == [.cancelling, .succeeded])
        cache.endListing()
    }

    @Test func operationsNotSeenForTwoListingsAreForgotten() throws {
        let cache = OperationDecodeCache()
        for _ in 0..<3 {
            cache.beginListing()
            _ = decodeCached(#"{"operations":[\#(Self.running)]}"#, cache)
            cache.endListing()
        }
        #expect(cache.counts == (hits: 2, misses: 1))
        for _ in 0..<2 {
            cache.beginListing()
            _ = decodeCached(#"{"operations":[]}"#, cache)
            cache.endListing()
        }
        cache.beginListing()
        _ = decodeCached(#"{"operations":[\#(Self.running)]}"#, cache)
        #expect(cache.counts == (hits: 2, misses: 2), "decoded again once forgotten")
    }

    @Test func scannerFindsTheElementsAndTheToken() throws {
        let page = "{ \"operations\" : [ {\"a\":\"}\"} , [1,[2]] , \"s\\\"\" , 12.5e3, true ] , \"nextPageToken\":\"NEXT\" }"
        let bytes = Array(page.utf8)
        let found = ListPageScanner.scan(bytes.span)
        let scanned = try #require(found)
        let elements = scanned.elements.map { String(decoding: bytes[$0], as: UTF8.self) }
        #expect(elements == ["{\"a\":\"}\"}", "[1,[2]]", "\"s\\\"\"", "12.5e3", "true"])
        #expect(scanned.nextPageToken == "NEXT")
    }

    /// The quick look at the object's two ends finds the token where the API or a key-sorting server puts it,
    /// and declines (nil) wherever it cannot be sure, leaving the page to the scan.
    @Test(arguments: [
        (#"{"nextPageToken":"T1","operations":[\#(done)]}"#, "T1"),
        (#"{"operations":[\#(done)],"nextPageToken":"T2"}"#, "T2"),
        ("{\n  \"operations\" : [ ] ,\n  \"nextPageToken\" :\t\"T3\"\r\n}\n", "T3"),
        (" { \"nextPageToken\" : \"T4\" } ", "T4"),
        (#"{"operations":[\#(running)],"nextPageToken":"T\"5"}"#, nil), // escaped: the scan decides
        (#"{"operations":[],"nextPageToken":""}"#, nil), // empty means none
        (#"{"operations":[],"nextPageToken":null}"#, nil),
        (#"{"operations":[\#(done)]}"#, nil), // the token inside the operation's response is not the page's
        (#"{"operations":[],"note":"a,\"nextPageToken\":\"FAKE"}"#, nil), // the tail of a string value
        (#"{"operations":[],"note":"\"nextPageToken\":\"FAKE"}"#, nil),
        (#"{"operations":[],"nextPageToken":"T6","unknown":1}"#, nil), // neither end: the scan finds it
        (#"{"nextPageToken":"T7""#, nil), // truncated
        (#"["nextPageToken","T8"]"#, nil),
        ("", nil),
    ] as [(String, String?)])
    func tokenProbeFindsTheTokenAtEitherEndOrDeclines(page: String, token: String?) {
        let probed = ListPageScanner.nextPageToken(page.utf8.span)
        #expect(probed == token, "\(page)")
        if let probed { #expect(probed == decodeWhole(page)?.nextPageToken, "\(page)") }
    }

    /// Wherever the probe finds a token in the pages above, it is the decoder's.
    @Test(arguments: pages)
    func tokenProbeAgreesWithTheDecoder(page: String) {
        guard let probed = ListPageScanner.nextPageToken(page.utf8.span) else { return }
        #expect(probed == decodeWhole(page)?.nextPageToken, "\(page)")
    }
}
