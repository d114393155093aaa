import Foundation

/// A pull reader over the bytes of one JSON document (RFC 8259, and like Foundation's parser it allows a
/// trailing comma and a leading byte-order mark), for ``JSONReadable`` types. It reads a `Span` of the
/// document, so it cannot outlive the bytes; `readDocument` lends it for one call.
///
/// Each `read…` or `lenient…` call consumes exactly one value, whatever its kind, so a reader of an
/// object can ignore what it does not know. Syntax is checked everywhere, also in skipped values; nesting
/// deeper than 512 levels is refused rather than overflowing the stack.
public struct JSONReader: ~Escapable {
    /// The document; `index <= bytes.count`.
    private let bytes: Span<UInt8>
    private var index = 0
    private var depth = 0
    private static let deepest = 512
    /// The strings ``lenientSharedString()`` read, made on its first call.
    private var repeated: RepeatedStrings?

    @_lifetime(copy bytes)
    private init(bytes: Span<UInt8>) { self.bytes = bytes }

    /// Lends a reader over `bytes` to `body`, which reads one value; only whitespace may follow it.
    public static func readDocument<T>(_ bytes: Span<UInt8>, _ body: (inout JSONReader) throws(JSONReadError) -> T) throws(JSONReadError) -> T {
        var reader = JSONReader(bytes: bytes)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { reader.index = 3 } // a UTF-8 byte-order mark
        reader.skipWhitespace()
        guard reader.peek != nil else { throw reader.failure("no JSON value") }
        let value = try body(&reader)
        reader.skipWhitespace()
        guard reader.peek == nil else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    /// Where the reader is, in bytes from the start of the document.
    public var offset: Int { index }

    // MARK: What comes next

    /// The kinds of JSON value.
    public enum Kind: Sendable { case object, array, string, number, bool, null }

    /// The kind of the next value (whitespace before it is skipped).
    public mutating func nextKind() throws(JSONReadError) -> Kind {
        skipWhitespace()
        guard let byte = peek else { throw failure("unexpected end of the document") }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw failure("unexpected character '\(Self.printable(byte))'")
        }
    }

    /// Consumes the next value when its bytes are exactly `literal` (a complete JSON value, written compactly),
    /// for a value that comes the same way again and again; otherwise reads nothing and returns false.
    public mutating func take(exactly literal: StaticString) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count, bytes.extracting(index..<(index + count)).equals(literal) else { return false }
        index += count
        return true
    }

    // MARK: Containers

    /// Reads an object, calling `member` with each key and the reader placed at its value, which `member`
    /// must consume. A key that appears twice is read twice: the last one wins.
    public mutating func readObject(_ member: (JSONKey, inout JSONReader) throws(JSONReadError) -> Void) throws(JSONReadError) {
        try expect(UInt8(ascii: "{"))
        try enter()
        skipWhitespace()
        if take(UInt8(ascii: "}")) { depth -= 1; return }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw failure("expected a key in quotes") }
            let key = try readKey()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try member(key, &self)
            skipWhitespace()
            if take(UInt8(ascii: ",")) {
                skipWhitespace()
                if !take(UInt8(ascii: "}")) { continue } // a trailing comma, which Foundation accepts too
            } else {
                guard take(UInt8(ascii: "}")) else { throw failure("expected ',' or '}' in an object") }
            }
            depth -= 1
            return
        }
    }

    /// Reads an array, calling `element` with the reader placed at each element, which it must consume.
    public mutating func readArray(_ element: (inout JSONReader) throws(JSONReadError) -> Void) throws(JSONReadError) {
        try expect(UInt8(ascii: "["))
        try enter()
        skipWhitespace()
        if take(UInt8(ascii: "]")) { depth -= 1; return }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            if take(UInt8(ascii: ",")) {
                skipWhitespace()
                if !take(UInt8(ascii: "]")) { continue } // a trailing comma
            } else {
                guard take(UInt8(ascii: "]")) else { throw failure("expected ',' or ']' in an array") }
            }
            depth -= 1
            return
        }
    }

    // MARK: Values

    /// Moves past one value of any kind, checking its syntax.
    public mutating func skipValue() throws(JSONReadError) {
        switch try nextKind() {
        case .object: try readObject { _, reader throws(JSONReadError) in try reader.skipValue() }
        case .array: try readArray { reader throws(JSONReadError) in try reader.skipValue() }
        case .string: _ = try scanString(keepingText: false)
        case .number: _ = try scanNumber()
        case .bool, .null: try readLiteral()
        }
    }

    /// Copies the next value to `writer` as the document has it, checking its syntax: every member and element in
    /// its order, numbers as they are spelled (but `null` for one beyond a double's range, as the model writes it),
    /// and strings with their text, escaped as `writer` escapes (control characters included) and invalid UTF-8
    /// replaced by U+FFFD. For output that keeps what a model would drop.
    public mutating func copyValue(to writer: inout JSONWriter) throws(JSONReadError) {
        switch try nextKind() {
        case .object:
            writer.beginObject()
            try readObject { key, reader throws(JSONReadError) in
                writer.key(key)
                try reader.copyValue(to: &writer)
            }
            writer.endObject()
        case .array:
            writer.beginArray()
            try readArray { reader throws(JSONReadError) in try reader.copyValue(to: &writer) }
            writer.endArray()
        case .string:
            if let range = try scanPlainString() {
                let text = bytes.extracting(range)
                if UTF8Check.isValid(text) { writer.string(utf8: text) } else { writer.string(String(decodingUTF8: text)) }
            } else {
                writer.string(try readString())
            }
        case .number:
            // As spelled, unless too large for a double (only an exponent or 300 digits make one): many readers,
            // Foundation's among them, refuse the whole document then, so it is written as the model writes it.
            let range = try scanNumber()
            let spelled = bytes.extracting(range)
            if range.count > 300 || range.contains(where: { bytes[$0] | 0x20 == UInt8(ascii: "e") }), !numberValue(range).isFinite {
                writer.null()
            } else {
                writer.number(spelled: spelled)
            }
        case .bool, .null:
            if let value = try readLiteral() { writer.bool(value) } else { writer.null() }
        }
    }

    /// Reads a string value (the next value must be one).
    public mutating func readString() throws(JSONReadError) -> String {
        try scanString(keepingText: true)!
    }

    /// Reads any value as a ``JSONValue``; nil for a value with a number a `Double` cannot hold (such as
    /// `1e400`), which the API never sends.
    public mutating func readValue() throws(JSONReadError) -> JSONValue? {
        switch try nextKind() {
        case .object:
            var members: [String: JSONValue] = [:]
            var representable = true
            try readObject { key, reader throws(JSONReadError) in
                if let value = try reader.readValue() { members[key.text] = value } else { representable = false }
            }
            return representable ? .object(members) : nil
        case .array:
            var elements: [JSONValue] = []
            var representable = true
            try readArray { reader throws(JSONReadError) in
                if let value = try reader.readValue() { elements.append(value) } else { representable = false }
            }
            return representable ? .array(elements) : nil
        case .string:
            return .string(try readString())
        case .number:
            let value = try numberValue(scanNumber())
            return value.isFinite ? .number(value) : nil
        case .bool, .null:
            switch try readLiteral() {
            case .some(let value): return .bool(value)
            case .none: return .null
            }
        }
    }

    // MARK: Lenient fields (each consumes one value of any kind)

    /// A string; nil for any other kind.
    public mutating func lenientString() throws(JSONReadError) -> String? {
        guard try nextKind() == .string else { try skipValue(); return nil }
        return try readString()
    }

    /// `true` or `false`, also as a string in any case.
    public mutating func lenientBool() throws(JSONReadError) -> Bool? {
        switch try nextKind() {
        case .bool: return try readLiteral()
        case .string: return ["true": true, "false": false][try readString().lowercased()]
        default: try skipValue(); return nil
        }
    }

    /// A string that recurs across a document and across documents (a type URL, a stage's name), as its shared
    /// copy (``Shared/string(_:)``); nil for any other kind. The string's bytes are looked up among those read
    /// before in the same document first, so a repeat costs neither a new `String` nor the shared table's lock.
    public mutating func lenientSharedString() throws(JSONReadError) -> String? {
        guard try nextKind() == .string else { try skipValue(); return nil }
        let start = index
        if let range = try scanPlainString(), RepeatedStrings.lengths.contains(range.count) {
            if repeated == nil { repeated = RepeatedStrings() }
            return repeated!.string(bytes.extracting(range))
        }
        index = start
        return Shared.string(try readString())
    }

    /// A finite number, also as a string (proto3 JSON writes 64-bit numbers so).
    public mutating func lenientDouble() throws(JSONReadError) -> Double? {
        let value: Double?
        switch try nextKind() {
        case .number: value = try numberValue(scanNumber())
        case .string: value = Double(try readString())
        default: try skipValue(); return nil
        }
        return value.flatMap { $0.isFinite ? $0 : nil }
    }

    /// A whole number: an integer literal that fits, or any number or numeric string whose value is whole and
    /// below 10^15 in size (so that `3.0` and `"42"` read as numbers and `1e300` does not).
    public mutating func lenientInt() throws(JSONReadError) -> Int? {
        if try nextKind() == .number {
            let range = try scanNumber()
            if let value = integerValue(range) { return value }
            return Self.wholeNumber(numberValue(range))
        }
        return Self.wholeNumber(try lenientDouble())
    }

    /// An RFC 3339 timestamp string (see ``Timestamp/parse(_:)``).
    public mutating func lenientDate() throws(JSONReadError) -> Date? {
        guard try nextKind() == .string else { try skipValue(); return nil }
        if let range = try scanPlainString() {
            return Timestamp.parse(utf8: bytes.extracting(range))
        }
        return Timestamp.parse(try readString())
    }

    /// Any value but `null`.
    public mutating func lenientValue() throws(JSONReadError) -> JSONValue? {
        guard try nextKind() != .null else { try skipValue(); return nil }
        return try readValue()
    }

    /// An array of what `element` reads; elements it gives nil for are skipped, and a value that is not an
    /// array gives an empty one.
    public mutating func lenientArray<Element>(_ element: (inout JSONReader) throws(JSONReadError) -> Element?) throws(JSONReadError) -> [Element] {
        guard try nextKind() == .array else { try skipValue(); return [] }
        // The first elements wait inline, and the array is made once, at its exact size, so that an array of up to
        // eight elements (such as an operation's stages) is one allocation, and no array keeps unused room.
        var first = InlineArray<8, Element?>(repeating: nil)
        var waiting = 0
        var more: [Element] = []
        try readArray { reader throws(JSONReadError) in
            guard let value = try element(&reader) else { return }
            if waiting < first.count {
                first[waiting] = value
                waiting += 1
            } else {
                more.append(value)
            }
        }
        let total = waiting + more.count
        // An empty array is the shared empty one: made with no capacity, it would write its count into the
        // standard library's one empty storage, which the thread sanitizer reports as a race.
        guard total > 0 else { return [] }
        return [Element](capacity: total) { output in
            for index in 0..<waiting { output.append(first[index].take()!) }
            for value in more { output.append(value) }
        }
    }

    private static func wholeNumber(_ value: Double?) -> Int? {
        guard let value, value.isFinite, value.rounded() == value, abs(value) < 1e15 else { return nil }
        return Int(value)
    }

    // MARK: Scanning

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws(JSONReadError) {
        guard take(byte) else { throw failure("expected '\(Self.printable(byte))'") }
    }

    private mutating func enter() throws(JSONReadError) {
        depth += 1
        guard depth <= Self.deepest else { throw failure("nested deeper than \(Self.deepest) levels") }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func failure(_ message: String) -> JSONReadError { JSONReadError(message: message, offset: index) }

    private static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    /// `true`, `false` or `null` (nil).
    @discardableResult
    private mutating func readLiteral() throws(JSONReadError) -> Bool? {
        func matches(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count, bytes.extracting(index..<(index + count)).equals(literal) else { return false }
            index += count
            return true
        }
        if matches("true") { return true }
        if matches("false") { return false }
        if matches("null") { return nil }
        throw failure("expected true, false or null")
    }

    /// The bytes of a number, its grammar checked: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func scanNumber() throws(JSONReadError) -> Range<Int> {
        let start = index
        func digits(_ reader: inout JSONReader) -> Int {
            let first = reader.index
            while let byte = reader.peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { reader.index += 1 }
            return reader.index - first
        }
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            if let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { throw failure("a number may not start with 0") }
        } else if digits(&self) == 0 {
            throw failure("expected a digit")
        }
        if take(UInt8(ascii: ".")), digits(&self) == 0 { throw failure("expected a digit after '.'") }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            if digits(&self) == 0 { throw failure("expected a digit in the exponent") }
        }
        return start..<index
    }

    /// A number's value as an `Int`, when it is an integer literal that fits.
    private func integerValue(_ range: Range<Int>) -> Int? {
        var position = range.lowerBound
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var value = 0
        while position < range.upperBound {
            let digit = Int(bytes[position]) - 48
            guard digit >= 0, digit <= 9 else { return nil } // '.', 'e'
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow, !overflow2 else { return nil }
            value = sum
            position += 1
        }
        return value
    }

    /// A number's value as a `Double` (infinite when it is too large).
    private func numberValue(_ range: Range<Int>) -> Double {
        if range.count <= 15, let value = integerValue(range) { return Double(value) } // exact
        return Double(String(decodingUTF8: bytes.extracting(range))) ?? .nan
    }

    /// The bytes inside a string without escapes, moving past it; nil, not moving, when it has escapes.
    private mutating func scanPlainString() throws(JSONReadError) -> Range<Int>? {
        let start = index + 1
        let position = ByteScan.firstQuoteBackslashOrControl(in: bytes, from: start)
        guard position < bytes.count else {
            index = position
            throw failure("a string without its closing quote")
        }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            index = position + 1
            return start..<position
        case UInt8(ascii: "\\"):
            return nil
        default:
            index = position
            throw failure("a control character in a string must be escaped")
        }
    }

    /// Moves past a string; its text when asked for, with invalid UTF-8 replaced by U+FFFD (as Foundation's
    /// decoder did: one bad byte in a description does not lose the listing).
    private mutating func scanString(keepingText: Bool) throws(JSONReadError) -> String? {
        if let range = try scanPlainString() {
            return keepingText ? String(decodingUTF8: bytes.extracting(range)) : nil
        }
        index += 1
        var text: [UInt8] = []
        if keepingText { text.reserveCapacity(32) }
        while true {
            guard let byte = peek else { throw failure("a string without its closing quote") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return keepingText ? String(decoding: text, as: UTF8.self) : nil
            case UInt8(ascii: "\\"):
                try readEscape(into: &text)
            case 0..<0x20:
                index -= 1
                throw failure("a control character in a string must be escaped")
            default:
                if keepingText { text.append(byte) }
            }
        }
    }

    /// One escape after its backslash, appended as UTF-8.
    private mutating func readEscape(into text: inout [UInt8]) throws(JSONReadError) {
        guard let byte = peek else { throw failure("a string without its closing quote") }
        index += 1
        let simple: UInt8?
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = byte
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default:
            index -= 1
            throw failure("an unknown escape '\\\(Self.printable(byte))'")
        }
        if let simple {
            text.append(simple)
            return
        }
        var scalar = try hexQuad()
        if (0xD800..<0xDC00).contains(scalar) {
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else { throw failure("a lone UTF-16 surrogate in \\u escapes") }
            let low = try hexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone UTF-16 surrogate in \\u escapes") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw failure("a lone UTF-16 surrogate in \\u escapes")
        }
        text.append(contentsOf: String(UnicodeScalar(scalar)!).utf8)
    }

    private mutating func hexQuad() throws(JSONReadError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = Self.hexDigit(byte) else { throw failure("expected four hex digits after \\u") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// An object's key: its raw bytes when it has no escapes (the usual case, compared without a `String`).
    @_lifetime(copy self)
    private mutating func readKey() throws(JSONReadError) -> JSONKey {
        let start = index
        if let range = try scanPlainString() {
            return JSONKey(raw: bytes.extracting(range), decoded: nil)
        }
        index = start
        return JSONKey(raw: bytes.extracting(start..<start), decoded: try readString())
    }
}
