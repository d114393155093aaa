/// A value of the API that writes itself as JSON: the API's own field names, absent and empty fields left
/// out, keys in sorted order so that the same value always gives the same bytes.
///
/// Written straight to bytes rather than through `Codable`, so that a value is written in one pass, with no
/// intermediate tree and no generic containers (docs/benchmarks.md). The emulator writes its answers the same way.
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

/// Writes one JSON document into a buffer of its own. Objects take their members as `key` then a value;
/// commas, and in pretty output line breaks and indentation, are placed by the writer.
///
/// Strings escape `"`, `\`, the C0 controls, DEL and the C1 controls, so the output is plain ASCII
/// punctuation around UTF-8 text that no terminal takes for a command. `/` is not escaped.
///
/// The bytes go into memory the writer owns, with one capacity check per string or number rather than an
/// `Array`'s uniqueness and capacity checks per byte, so that each byte written is a plain store. The writer
/// cannot be copied, so that no two writers share the memory; read what it wrote with ``withBytes(_:)`` or
/// ``bytes``.
public struct JSONWriter: ~Copyable {
    // Invariant: `start` owns `capacity` initialised bytes (zeroed when allocated, so that any of them can be lent
    // as a `MutableSpan`), the first `count` written; every store follows a `reserve` for its length, and only
    // this (non-copyable) writer grows or frees the memory, in `grow` and `deinit`.
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    private let pretty: Bool
    private var depth = 0
    /// True when the next value or key follows another in the same container.
    private var needsComma = false
    /// True right after a key, where a value needs neither comma nor line break.
    private var afterKey = false

    /// - Parameter capacity: bytes to make room for at first; the writer grows as it needs.
    public init(pretty: Bool = false, capacity: Int = 256) {
        self.pretty = pretty
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
        start.initialize(repeating: 0, count: self.capacity)
    }

    deinit { start.deallocate() }

    /// How many bytes were written so far.
    public var byteCount: Int { count }

    /// The bytes written so far, lent for the call.
    // Safe because the first `count` bytes are written, and the writer, borrowed while `body` runs, cannot grow
    // or free them then; the span cannot outlive the call.
    public func withBytes<Result>(_ body: (Span<UInt8>) throws -> Result) rethrows -> Result {
        try body(Span(_unsafeStart: start, count: count))
    }

    /// A copy of the bytes written so far.
    // Safe: the first `count` bytes are written, and the Array copies them.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    /// Empties the writer, keeping its memory, to write further elements of a top-level array that is opened
    /// and closed elsewhere (a listing written page by page), after `elementsBefore` elements: each value
    /// starts with its comma and, when `pretty`, its line break and indentation. With `elementsBefore` nil the
    /// writer starts a new document (or JSON Lines record).
    public mutating func restart(continuingArrayAfter elementsBefore: Int? = nil) {
        count = 0
        depth = elementsBefore == nil ? 0 : 1
        needsComma = (elementsBefore ?? 0) > 0
        afterKey = false
    }

    /// Makes room for `total` bytes in all, so that a writer of a known amount grows once.
    public mutating func reserveCapacity(_ total: Int) {
        reserve(total - count)
    }

    // MARK: Containers

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The key of the next member; keys must be written in sorted order by the caller.
    public mutating func key(_ name: StaticString) {
        startItem()
        let length = name.utf8CodeUnitCount
        reserve(length + 4)
        start[count] = UInt8(ascii: "\"")
        (start + count + 1).update(from: name.utf8Start, count: length)
        start[count + 1 + length] = UInt8(ascii: "\"")
        count += length + 2
        endKey()
    }

    /// A key that is not known in advance (the members of a ``JSONValue`` object).
    public mutating func key(_ name: String) {
        startItem()
        appendQuoted(name)
        endKey()
    }

    /// A key as a ``JSONReader`` found it, written from its bytes when it had no escapes.
    public mutating func key(_ key: JSONKey) {
        guard key.decoded == nil, UTF8Check.isValid(key.raw) else {
            self.key(key.text)
            return
        }
        startItem()
        appendQuoted(utf8: key.raw)
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

    /// A string value from its UTF-8 bytes (well-formed, not escaped), escaped as every string is.
    public mutating func string(utf8: Span<UInt8>) {
        startValue()
        appendQuoted(utf8: utf8)
    }

    /// A number as a JSON document spelled it (checked by the reader that found it), copied unchanged.
    public mutating func number(spelled: Span<UInt8>) {
        startValue()
        append(spelled)
    }

    public mutating func bool(_ value: Bool) {
        startValue()
        append(value ? "true" : "false")
    }

    public mutating func null() {
        startValue()
        append("null")
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
            append("null")
            return
        }
        if value.rounded() == value, abs(value) < 9_007_199_254_740_992, !(value == 0 && value.sign == .minus) {
            appendDecimal(Int(value))
        } else {
            append(value.description.utf8.span)
        }
    }

    /// A string of at most `maximumCount` bytes that `write` puts at the start of the span it is given, returning
    /// how many it wrote, unchecked: for text that needs no escapes (such as a timestamp from
    /// ``Timestamp/write(_:fractionDigits:to:)``).
    // Safe because `reserve` makes room for `maximumCount` + 2 initialised bytes, and `write` can reach only the
    // `maximumCount` bytes of the span it is lent; the precondition checks what it reports.
    public mutating func unescapedString(maximumCount: Int, _ write: (inout MutableSpan<UInt8>) -> Int) {
        startValue()
        reserve(maximumCount + 2)
        start[count] = UInt8(ascii: "\"")
        var span = MutableSpan(_unsafeStart: start + count + 1, count: maximumCount)
        let written = write(&span)
        precondition(written <= maximumCount, "unescapedString wrote more than it said it would")
        start[count + 1 + written] = UInt8(ascii: "\"")
        count += written + 2
    }

    /// Ends a JSON Lines record with a line break; the next value starts a new document.
    public mutating func endLine() {
        append(UInt8(ascii: "\n"))
        needsComma = false
        afterKey = false
    }

    // MARK: Layout

    private mutating func open(_ bracket: UInt8) {
        startValue()
        append(bracket)
        depth += 1
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if pretty && needsComma { newline() } // an empty container stays `{}`
        append(bracket)
        needsComma = true
        afterKey = false
    }

    /// Before a key, or a value in an array: the comma and line break that separate it from the one before.
    private mutating func startItem() {
        if needsComma { append(UInt8(ascii: ",")) }
        if pretty && depth > 0 { newline() }
    }

    private mutating func endKey() {
        append(UInt8(ascii: ":"))
        if pretty { append(UInt8(ascii: " ")) }
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
        reserve(1 + depth * 2)
        start[count] = UInt8(ascii: "\n")
        (start + count + 1).initialize(repeating: UInt8(ascii: " "), count: depth * 2)
        count += 1 + depth * 2
    }

    // MARK: Bytes

    /// Makes room for `needed` more bytes.
    @inline(__always)
    private mutating func reserve(_ needed: Int) {
        if capacity - count < needed { grow(needed) }
    }

    private mutating func grow(_ needed: Int) {
        let larger = max(capacity * 2, count + needed)
        // Safe because larger >= count + needed, the `count` bytes written are copied before the old memory is freed,
        // and nothing else points into it (the writer is non-copyable and lends its bytes only for a call).
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.initialize(from: start, count: count)
        (moved + count).initialize(repeating: 0, count: larger - count)
        start.deallocate()
        start = moved
        capacity = larger
    }

    private mutating func append(_ byte: UInt8) {
        reserve(1)
        start[count] = byte
        count += 1
    }

    // Safe because `reserve` makes room for `bytes.count` first; `bytes` is read only during the call, and cannot
    // be this writer's own memory, which is lent only while the writer is borrowed.
    private mutating func append(_ bytes: Span<UInt8>) {
        reserve(bytes.count)
        bytes.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            (start + count).update(from: base, count: bytes.count)
        }
        count += bytes.count
    }

    private mutating func append(_ text: StaticString) {
        // A StaticString literal's UTF-8 is static memory of `utf8CodeUnitCount` bytes.
        reserve(text.utf8CodeUnitCount)
        (start + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    private mutating func appendDecimal(_ value: Int) {
        reserve(20) // Int.min has 20 characters
        if value < 0 {
            start[count] = UInt8(ascii: "-")
            count += 1
        }
        var rest = value.magnitude
        var digits = 1
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        rest = value.magnitude
        var position = count + digits
        repeat {
            position -= 1
            start[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        } while rest > 0
        count += digits
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ text: String) {
        appendQuoted(utf8: text.utf8.span)
    }

    private mutating func appendQuoted(utf8: Span<UInt8>) {
        reserve(utf8.count + 2) // the text as it is, and its quotes: escapes make room for themselves
        append(UInt8(ascii: "\""))
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
            if runStart < index { append(utf8.extracting(runStart..<index)) }
            append(UInt8(ascii: "\\"))
            switch escape {
            case nil: append(byte)
            case 0x08: append(UInt8(ascii: "b"))
            case 0x09: append(UInt8(ascii: "t"))
            case 0x0A: append(UInt8(ascii: "n"))
            case 0x0C: append(UInt8(ascii: "f"))
            case 0x0D: append(UInt8(ascii: "r"))
            case let code?:
                append("u00")
                append(Self.hex[Int(code >> 4)])
                append(Self.hex[Int(code & 0xF)])
            }
            index += width
            runStart = index
        }
        if runStart < utf8.count { append(utf8.extracting(runStart...)) }
        append(UInt8(ascii: "\""))
    }
}
