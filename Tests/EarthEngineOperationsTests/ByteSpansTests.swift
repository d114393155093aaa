import EarthEngineOperations
import Testing

/// The helpers that stand between `Span` and a pointer agree with the standard library's own answers.
@Suite("Bytes through Span")
struct ByteSpansTests {
    /// The TUI sorts descriptions with `compareBytes`: its order is `Array`'s lexicographic order, at every
    /// length around the 8-byte words it compares, shared prefixes included.
    @Test func bytesCompareAsArraysDo() {
        var random = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let prefix = (0..<Int.random(in: 0...20, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let a = prefix + (0..<Int.random(in: 0...10, using: &random)).map { _ in UInt8.random(in: 0...3, using: &random) }
            let b = prefix + (0..<Int.random(in: 0...10, using: &random)).map { _ in UInt8.random(in: 0...3, using: &random) }
            let expected = a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
            let order = a.span.compareBytes(b.span)
            if order.signum() != expected { disagreements.append("\(a) vs \(b): \(order), expected \(expected)") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    }

    /// The name index, the scanner and the repeated-strings table compare bytes with `equals`: it agrees with
    /// `Array`'s `==` at every length around the 8-byte words it compares, a difference in any byte included.
    @Test func bytesAreEqualAsArraysAre() {
        var random = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let a = (0..<Int.random(in: 0...25, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var b = a
            switch Int.random(in: 0...3, using: &random) {
            case 0 where !b.isEmpty: b[Int.random(in: 0..<b.count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            case 1: b.append(0)
            case 2 where !b.isEmpty: b.removeLast()
            default: break
            }
            let equal = a.span.equals(b.span)
            if equal != (a == b) { disagreements.append("\(a) vs \(b): \(equal)") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    }

    @Test func wordsAreLittleEndianAndStringsAreRepaired() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let word = bytes.span.word(at: 1)
        #expect(word == 0x0908_0706_0504_0302)
        let text = String(decodingUTF8: [0x61, 0xFF, 0x62].span)
        #expect(text == "a\u{FFFD}b")
        let name = Array("name".utf8)
        let matches = name.span.equals("name"), differs = name.span.equals("nam"), empty = [UInt8]().span.equals("")
        #expect(matches && !differs && empty)
        var copy: [UInt8] = [0]
        copy.append(span: bytes.span.extracting(7...))
        #expect(copy == [0, 8, 9])
    }
}
