/// A value of the API that writes itself as JSON: the API's own field names, absent and empty fields left
/// out, keys in sorted order so that the same value always gives the same bytes.
///
/// Written straight to bytes rather than through `Codable`: `JSONEncoder` took a third of the time of
/// `eeops list --format jsonl` (see docs/benchmarks.md). The emulator writes its answers the same way.
public protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension JSONWritable {
    /// Compact JSON, or indented by two spaces when `pretty`.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        write(to: &writer)
        return writer.bytes
    }

    public func jsonString(pretty: Bool = false) -> String {
        String(decoding: jsonBytes(pretty: pretty), as: UTF8.self)
    }
}

/// Writes one JSON document into ``bytes``. Objects take their members as `key` then a value; commas,
/// and in pretty output line breaks and indentation, are placed by the writer.
///
/// Strings escape `"`, `\`, the C0 controls, DEL and the C1 controls, so the output is plain ASCII
/// punctuation around UTF-8 text that no terminal takes for a command. `/` is not escaped.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    private var depth = 0
    /// True when the next value or key follows another in the same container.
    private var needsComma = false
    /// True right after a key, where a value needs neither comma nor line break.
    private var afterKey = false

    /// - Parameter buffer: storage to write into, emptied first (``takeBytes()`` of an earlier writer), so that
    ///   a listing written page by page reuses one buffer instead of allocating and faulting in a new megabyte
    ///   for each page.
    public init(pretty: Bool = false, capacity: Int = 256, reusing buffer: consuming [UInt8] = []) {
        self.pretty = pretty
        bytes = consume buffer
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(capacity)
    }

    /// A writer of further elements of a top-level array that is opened and closed elsewhere (a listing
    /// written page by page), after `elementsBefore` elements: each value starts with its comma and, when
    /// `pretty`, its line break and indentation.
    public init(pretty: Bool, continuingArrayAfter elementsBefore: Int, capacity: Int = 256, reusing buffer: consuming [UInt8] = []) {
        self.init(pretty: pretty, capacity: capacity, reusing: buffer)
        depth = 1
        needsComma = elementsBefore > 0
    }

    /// The bytes written, leaving the writer empty.
    public mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }

    // MARK: Containers

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The key of the next member; keys must be written in sorted order by the caller.
    public mutating func key(_ name: StaticString) {
        startItem()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        endKey()
    }

    /// A key that is not known in advance (the members of a ``JSONValue`` object).
    public mutating func key(_ name: String) {
        startItem()
        appendQuoted(name)
        endKey()
    }

    /// `key` and the elements as an array; nothing at all when there are none (proto3 omits empty lists).
    public mutating func array<Element>(_ key: StaticString, _ elements: [Element], _ write: (Element, inout JSONWriter) -> Void) {
        guard !elements.isEmpty else { return }
        self.key(key)
        beginArray()
        for element in elements { write(element, &self) }
        endArray()
    }

    public mutating func array(_ key: StaticString, _ elements: [some JSONWritable]) {
        array(key, elements) { element, writer in element.write(to: &writer) }
    }

    // MARK: Values

    public mutating func string(_ value: String) {
        startValue()
        appendQuoted(value)
    }

    public mutating func bool(_ value: Bool) {
        startValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        startValue()
        bytes.append(contentsOf: "null".utf8)
    }

    public mutating func number(_ value: Int) {
        startValue()
        appendDecimal(value)
    }

    /// Whole numbers below 2^53 without a fraction (`3`, not `3.0`); others, and -0, in Swift's shortest
    /// form that reads back exactly. A value JSON cannot hold (NaN, infinity) is written as `null`.
    public mutating func number(_ value: Double) {
        startValue()
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if value.rounded() == value, abs(value) < 9_007_199_254_740_992, !(value == 0 && value.sign == .minus) {
            appendDecimal(Int(value))
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// A string whose characters `write` appends itself, unchecked, for text that needs no escapes (such as
    /// a timestamp from ``Timestamp/append(_:fractionDigits:to:)``).
    public mutating func unescapedString(_ write: (inout [UInt8]) -> Void) {
        startValue()
        bytes.append(UInt8(ascii: "\""))
        write(&bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Ends a JSON Lines record with a line break; the next value starts a new document.
    public mutating func endLine() {
        bytes.append(UInt8(ascii: "\n"))
        needsComma = false
        afterKey = false
    }

    // MARK: Layout

    private mutating func open(_ bracket: UInt8) {
        startValue()
        bytes.append(bracket)
        depth += 1
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if pretty && needsComma { newline() } // an empty container stays `{}`
        bytes.append(bracket)
        needsComma = true
        afterKey = false
    }

    /// Before a key, or a value in an array: the comma and line break that separate it from the one before.
    private mutating func startItem() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        if pretty && depth > 0 { newline() }
    }

    private mutating func endKey() {
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
        needsComma = false
    }

    private mutating func startValue() {
        if afterKey {
            afterKey = false
        } else {
            startItem()
        }
        needsComma = true
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<(depth * 2) { bytes.append(UInt8(ascii: " ")) }
    }

    private mutating func appendDecimal(_ value: Int) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes: Int.min has 20 characters
        let magnitude = value.magnitude
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            var rest = magnitude
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: buffer[position...])
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while true {
                index = ByteScan.firstToEscape(in: utf8, from: index)
                guard index < utf8.count else { break }
                let byte = utf8[index]
                let escape: UInt32?
                var width = 1
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape = nil
                case 0xC2 where index + 1 < utf8.count && (0x80...0x9F).contains(utf8[index + 1]):
                    escape = UInt32(utf8[index + 1]) // a C1 control, U+0080 to U+009F
                    width = 2
                case 0xC2: index += 1; continue // U+00A0 to U+00BF
                default: escape = UInt32(byte) // C0 controls and DEL
                }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                bytes.append(UInt8(ascii: "\\"))
                switch escape {
                case nil: bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case let code?:
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(Self.hex[Int(code >> 4)])
                    bytes.append(Self.hex[Int(code & 0xF)])
                }
                index += width
                runStart = index
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
