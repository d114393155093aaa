/// Finds, without decoding them, where each operation of a list page's JSON starts and ends, and the page
/// token: `{"operations": [ {...}, {...} ], "nextPageToken": "..."}` in any order, with any whitespace.
///
/// It only looks at structure (strings, brackets, commas), one pass over the bytes, no recursion. Anything
/// it is not sure of (a key with escapes, a repeated key, a token that is not a plain string, a malformed
/// document) gives nil, and the caller decodes the page the ordinary way, which also explains the error.
public enum ListPageScanner {
    public struct Page: Equatable, Sendable {
        /// Byte ranges of the elements of `operations`, in order.
        public var elements: [Range<Int>]
        public var nextPageToken: String?
    }

    public static func scan(_ bytes: Span<UInt8>) -> Page? {
        var scanner = Cursor(bytes: bytes)
        scanner.skipWhitespace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        var elements: [Range<Int>]?
        var token: String??
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: "}")) { return scanner.atEndAfterWhitespace() ? Page(elements: [], nextPageToken: nil) : nil }
        while true {
            scanner.skipWhitespace()
            guard let key = scanner.plainString() else { return nil }
            scanner.skipWhitespace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            switch key {
            case "operations":
                guard elements == nil, let found = scanner.arrayElements() else { return nil }
                elements = found
            case "nextPageToken":
                guard token == nil else { return nil }
                if scanner.peek == UInt8(ascii: "n") {
                    guard scanner.skipValue() else { return nil }
                    token = .some(nil)
                } else {
                    guard let text = scanner.plainString() else { return nil }
                    token = .some(text)
                }
            default:
                guard scanner.skipValue() else { return nil }
            }
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "}")), scanner.atEndAfterWhitespace() else { return nil }
            return Page(elements: elements ?? [], nextPageToken: (token ?? nil).flatMap { $0.isEmpty ? nil : $0 }) // empty means none, as for the decoder
        }
    }

    /// The page token alone, when the page's object has it as its first or its last member: servers that sort
    /// their keys put it first, and the API's own field order puts it after the operations. Neither needs the
    /// bytes of the operations in between, so this reads only the two ends of the page, where ``scan(_:)`` reads
    /// the whole page.
    ///
    /// Nil when neither end has a plain (unescaped), non-empty token, or the ends are not what JSON allows there:
    /// the page's reader then decides. A token found here is not checked against the rest of the document: the
    /// decoder reads the page anyway, and the listing trusts the decoder's token when the two differ.
    public static func nextPageToken(_ bytes: Span<UInt8>) -> String? {
        firstMemberToken(bytes) ?? lastMemberToken(bytes)
    }

    private static let tokenKey = Array("\"nextPageToken\"".utf8)

    /// JSON's whitespace: space, line feed, carriage return, tab.
    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// `{"nextPageToken": "…", …`
    private static func firstMemberToken(_ bytes: Span<UInt8>) -> String? {
        var cursor = Cursor(bytes: bytes)
        cursor.skipWhitespace()
        guard cursor.take(UInt8(ascii: "{")) else { return nil }
        cursor.skipWhitespace()
        guard holds(tokenKey, in: bytes, at: cursor.index) else { return nil }
        cursor.index += tokenKey.count
        cursor.skipWhitespace()
        guard cursor.take(UInt8(ascii: ":")) else { return nil }
        cursor.skipWhitespace()
        guard let token = cursor.plainString(), !token.isEmpty else { return nil }
        cursor.skipWhitespace()
        return cursor.peek == UInt8(ascii: ",") || cursor.peek == UInt8(ascii: "}") ? token : nil
    }

    /// `…, "nextPageToken": "…"}`, read backwards. In JSON the value before the final `}` is the object's last
    /// member; a string value without backslashes starts at the first quote before its closing one, and the
    /// key before its `:` is a key only when a `,` or the `{` comes before it.
    private static func lastMemberToken(_ bytes: Span<UInt8>) -> String? {
        var end = bytes.count
        func skipWhitespaceBackwards() {
            while end > 0, isWhitespace(bytes[end - 1]) { end -= 1 }
        }
        func takeBackwards(_ byte: UInt8) -> Bool {
            guard end > 0, bytes[end - 1] == byte else { return false }
            end -= 1
            return true
        }
        skipWhitespaceBackwards()
        guard takeBackwards(UInt8(ascii: "}")) else { return nil }
        skipWhitespaceBackwards()
        guard takeBackwards(UInt8(ascii: "\"")) else { return nil }
        let tokenEnd = end
        while end > 0, bytes[end - 1] != UInt8(ascii: "\"") {
            guard bytes[end - 1] != UInt8(ascii: "\\"), bytes[end - 1] >= 0x20 else { return nil }
            end -= 1
        }
        let tokenStart = end
        guard tokenStart < tokenEnd, takeBackwards(UInt8(ascii: "\"")) else { return nil }
        skipWhitespaceBackwards()
        guard takeBackwards(UInt8(ascii: ":")) else { return nil }
        skipWhitespaceBackwards()
        guard end >= tokenKey.count, holds(tokenKey, in: bytes, at: end - tokenKey.count) else { return nil }
        end -= tokenKey.count
        skipWhitespaceBackwards()
        guard takeBackwards(UInt8(ascii: ",")) || takeBackwards(UInt8(ascii: "{")) else { return nil }
        return String(decodingUTF8: bytes.extracting(tokenStart..<tokenEnd))
    }

    /// True when `bytes` holds `expected` from `start` on.
    private static func holds(_ expected: [UInt8], in bytes: Span<UInt8>, at start: Int) -> Bool {
        guard bytes.count - start >= expected.count else { return false }
        return bytes.extracting(start..<start + expected.count).equals(expected.span)
    }

    private struct Cursor: ~Escapable {
        /// The page; `index <= bytes.count`: the cursor moves only past bytes it saw.
        let bytes: Span<UInt8>
        var index = 0

        @_lifetime(copy bytes)
        init(bytes: Span<UInt8>) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while let byte = peek, isWhitespace(byte) { index += 1 }
        }

        mutating func atEndAfterWhitespace() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        /// A string without escapes (keys and page tokens), as text; nil for anything else.
        mutating func plainString() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            index = ByteScan.firstQuoteBackslashOrControl(in: bytes, from: index)
            guard peek == UInt8(ascii: "\"") else { return nil }
            let text = String(decodingUTF8: bytes.extracting(start..<index))
            index += 1
            return text
        }

        /// Moves past one string, with its escapes.
        mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while true {
                index = ByteScan.firstQuoteBackslashOrControl(in: bytes, from: index)
                guard let byte = peek else { return false }
                index += 1
                if byte == UInt8(ascii: "\\") {
                    guard peek != nil else { return false }
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    return true
                } // a control character: the decoder refuses it, not this scan
            }
        }

        /// Moves past one value of any kind: objects and arrays by counting brackets outside strings.
        mutating func skipValue() -> Bool {
            guard let first = peek else { return false }
            if first == UInt8(ascii: "\"") { return skipString() }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                var depth = 0
                while let byte = peek {
                    switch byte {
                    case UInt8(ascii: "\""):
                        guard skipString() else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            return true
                        }
                    default:
                        break
                    }
                    index += 1
                }
                return false
            }
            // A number or a literal: up to the next delimiter.
            let start = index
            while let byte = peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}"), byte != UInt8(ascii: "]"),
                  byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09 { index += 1 }
            return index > start
        }

        /// The byte ranges of an array's elements.
        mutating func arrayElements() -> [Range<Int>]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var ranges: [Range<Int>] = []
            skipWhitespace()
            if take(UInt8(ascii: "]")) { return ranges }
            while true {
                skipWhitespace()
                let start = index
                guard skipValue() else { return nil }
                ranges.append(start..<index)
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "]")) ? ranges : nil
            }
        }
    }
}
