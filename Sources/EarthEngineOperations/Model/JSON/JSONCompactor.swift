/// Copies one JSON value compact in a single pass over its bytes, for output of what a server sent: the
/// whitespace between tokens dropped, strings checked (UTF-8, escapes) and copied with their escapes as they
/// were, DEL and the C1 controls escaped as ``JSONWriter`` escapes them, numbers checked and copied as spelled.
/// Bytes are appended in runs, so a value that is already compact is appended whole.
///
/// It keeps to what it is sure of. Anything else gives ``Outcome/unsure``, with nothing appended, and the caller
/// takes the decoder's way, which repairs or explains: invalid UTF-8, a number with an exponent or of more than
/// 300 characters (it might not fit a double), a key with escapes, a `name` with escapes, nesting deeper than
/// 64, trailing commas.
enum JSONCompactor {
    enum Outcome: Equatable {
        /// An object, appended; its top-level `name` when that is a string, "" otherwise (as the decoder reads it).
        case object(name: String)
        /// Valid JSON that is not an object; nothing appended.
        case notAnObject
        /// See ``JSONCompactor``; nothing appended.
        case unsure
    }

    /// Appends the value that is the whole of `bytes` (whitespace around it allowed).
    static func append(_ bytes: Span<UInt8>, to output: inout [UInt8]) -> Outcome {
        let mark = output.count
        var copy = Copy(bytes: bytes)
        copy.skipSpace()
        var outcome = copy.value(&output)
        copy.skipSpace()
        if copy.index != bytes.count { outcome = .unsure }
        if case .object = outcome { return outcome }
        output.removeSubrange(mark...)
        return outcome
    }

    /// The operations of a list page, each appended (compact, one a line) with its name.
    struct Page: Equatable {
        /// Where each operation is in the output.
        var elements: [Range<Int>] = []
        var names: [String] = []
        var nextPageToken: String?
    }

    /// Reads a list page, `{"operations": [...], "nextPageToken": "..."}` with its members in any order and
    /// others checked and skipped, in one pass: each element of `operations` that is an object is appended,
    /// followed by a line break, with its name; other elements are left out, as when the page is decoded. Nil,
    /// with what was appended to be dropped, when the compactor is unsure of anything (see ``JSONCompactor``),
    /// a member repeats, or `nextPageToken` is not a plain string or null.
    static func appendPage(_ bytes: Span<UInt8>, to output: inout [UInt8]) -> Page? {
        var copy = Copy(bytes: bytes)
        var skipped: [UInt8] = []
        var page = Page()
        var seen: Set<String> = []
        copy.skipSpace()
        guard copy.take(UInt8(ascii: "{")) else { return nil }
        copy.skipSpace()
        if !copy.take(UInt8(ascii: "}")) {
            repeat {
                copy.skipSpace()
                guard copy.peek == UInt8(ascii: "\""), let keyRange = copy.plainString(&skipped) else { return nil }
                let key = String(decodingUTF8: bytes.extracting(keyRange))
                guard seen.insert(key).inserted else { return nil }
                copy.skipSpace()
                guard copy.take(UInt8(ascii: ":")) else { return nil }
                copy.skipSpace()
                switch key {
                case "operations":
                    guard copy.take(UInt8(ascii: "[")) else { return nil }
                    copy.skipSpace()
                    if copy.take(UInt8(ascii: "]")) { break }
                    repeat {
                        copy.skipSpace()
                        let start = output.count
                        switch copy.value(&output) {
                        case .object(let name):
                            page.elements.append(start..<output.count)
                            page.names.append(name)
                            output.append(UInt8(ascii: "\n"))
                        case .notAnObject: output.removeSubrange(start...)
                        case .unsure: return nil
                        }
                        copy.skipSpace()
                    } while copy.take(UInt8(ascii: ","))
                    guard copy.take(UInt8(ascii: "]")) else { return nil }
                case "nextPageToken":
                    if copy.peek == UInt8(ascii: "\"") {
                        guard let token = copy.plainString(&skipped) else { return nil }
                        page.nextPageToken = token.isEmpty ? nil : String(decodingUTF8: bytes.extracting(token)) // empty means none
                    } else {
                        guard copy.value(&skipped) == .notAnObject, skipped.elementsEqual("null".utf8) else { return nil }
                    }
                default:
                    guard copy.value(&skipped) != .unsure else { return nil }
                }
                skipped.removeAll(keepingCapacity: true)
                copy.skipSpace()
            } while copy.take(UInt8(ascii: ","))
            guard copy.take(UInt8(ascii: "}")) else { return nil }
        }
        copy.skipSpace()
        return copy.index == bytes.count ? page : nil
    }
}

private struct Copy: ~Escapable {
    /// The value; `pending <= index <= bytes.count`.
    let bytes: Span<UInt8>
    var index = 0
    /// Where the bytes not yet appended start.
    var pending = 0

    private enum Expect { case value, firstElement, firstMember, member, colon, next }

    @_lifetime(copy bytes)
    init(bytes: Span<UInt8>) {
        self.bytes = bytes
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// Moves past whitespace between values, appending nothing.
    mutating func skipSpace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    /// Copies the value at `index` (not at whitespace) to `output`, and moves past it.
    mutating func value(_ output: inout [UInt8]) -> JSONCompactor.Outcome {
        pending = index
        guard index < bytes.count else { return .unsure }
        let isObject = bytes[index] == UInt8(ascii: "{")
        var name: String?
        var depth = 0
        var objects: UInt64 = 0 // bit d set when the container at depth d + 1 is an object
        var expect = Expect.value
        var valueOfName = false // the value being read is the top-level object's `name`
        while true {
            skipWhitespace(&output)
            guard index < bytes.count else { return .unsure }
            let byte = bytes[index]
            var ended = false // a value ended
            switch expect {
            case .firstMember where byte == UInt8(ascii: "}"), .firstElement where byte == UInt8(ascii: "]"):
                index += 1
                depth -= 1
                ended = true
            case .firstMember, .member:
                guard byte == UInt8(ascii: "\""), let key = plainString(&output) else { return .unsure }
                valueOfName = depth == 1 && bytes.extracting(key).equals("name")
                expect = .colon
            case .colon:
                guard byte == UInt8(ascii: ":") else { return .unsure }
                index += 1
                expect = .value
            case .value, .firstElement:
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard depth < 64 else { return .unsure }
                    if byte == UInt8(ascii: "{") { objects |= 1 << depth } else { objects &= ~(1 << depth) }
                    depth += 1
                    index += 1
                    expect = byte == UInt8(ascii: "{") ? .firstMember : .firstElement
                    if valueOfName { name = nil }
                    valueOfName = false
                    continue
                case UInt8(ascii: "\""):
                    if valueOfName {
                        guard let text = plainString(&output) else { return .unsure }
                        name = String(decodingUTF8: bytes.extracting(text))
                    } else {
                        guard string(&output) else { return .unsure }
                    }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard number() else { return .unsure }
                    if valueOfName { name = nil }
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    guard literal() else { return .unsure }
                    if valueOfName { name = nil }
                default:
                    return .unsure
                }
                valueOfName = false
                ended = true
            case .next:
                let inObject = objects & (1 << (depth - 1)) != 0
                if byte == UInt8(ascii: ",") {
                    index += 1
                    expect = inObject ? .member : .value
                } else if byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                    depth -= 1
                    ended = true
                } else {
                    return .unsure
                }
            }
            guard ended else { continue }
            if depth == 0 {
                flush(&output, upTo: index)
                return isObject ? .object(name: name ?? "") : .notAnObject
            }
            expect = .next
        }
    }

    /// Appends the bytes not yet appended, up to `end`.
    private mutating func flush(_ output: inout [UInt8], upTo end: Int) {
        if pending < end { output.append(span: bytes.extracting(pending..<end)) }
        pending = end
    }

    private mutating func skipWhitespace(_ output: inout [UInt8]) {
        guard index < bytes.count, Self.isWhitespace(bytes[index]) else { return }
        flush(&output, upTo: index)
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
        pending = index
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// A string without escapes (at its opening quote): where its text is in `bytes`, moving past it; nil when it
    /// has escapes or is not valid.
    mutating func plainString(_ output: inout [UInt8]) -> Range<Int>? {
        let start = index + 1
        guard string(&output, escapesAllowed: false) else { return nil }
        return start..<(index - 1)
    }

    /// Moves past a string (at its opening quote), checking it, and escapes its DEL and C1 controls.
    private mutating func string(_ output: inout [UInt8], escapesAllowed: Bool = true) -> Bool {
        index += 1
        while true {
            index = ByteScan.firstNotPlainASCII(in: bytes, from: index)
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"):
                guard escapesAllowed, escape() else { return false }
            case 0x7F:
                escape(&output, 0x7F, width: 1)
            case 0xC2 where index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]):
                escape(&output, bytes[index + 1], width: 2) // a C1 control, U+0080 to U+009F
            case 0x80...:
                guard let width = UTF8Check.characterLength(bytes, at: index) else { return false }
                index += width
            default:
                return false // a C0 control must be escaped
            }
        }
    }

    /// Writes the character at `index` (`width` bytes, U+`code`) as `\u00XX`.
    private mutating func escape(_ output: inout [UInt8], _ code: UInt8, width: Int) {
        flush(&output, upTo: index)
        let hex = Array("0123456789abcdef".utf8)
        output += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(code >> 4)], hex[Int(code & 0xF)]]
        index += width
        pending = index
    }

    /// An escape after its backslash: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t` or `\u` and four hex digits.
    private mutating func escape() -> Bool {
        guard index + 1 < bytes.count else { return false }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
            return true
        case UInt8(ascii: "u"):
            guard index + 6 <= bytes.count, bytes[index + 2].isHexDigit, bytes[index + 3].isHexDigit, bytes[index + 4].isHexDigit,
                  bytes[index + 5].isHexDigit else { return false }
            index += 6
            return true
        default:
            return false
        }
    }

    /// A number without an exponent, of at most 300 characters: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`.
    private mutating func number() -> Bool {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, bytes[index].isDigit else { return false }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { while index < bytes.count, bytes[index].isDigit { index += 1 } }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, bytes[index].isDigit else { return false }
            while index < bytes.count, bytes[index].isDigit { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") { return false }
        return index - start <= 300
    }

    private mutating func literal() -> Bool {
        for word: StaticString in ["true", "false", "null"] {
            let end = index + word.utf8CodeUnitCount
            if end <= bytes.count, bytes.extracting(index..<end).equals(word) {
                index = end
                return true
            }
        }
        return false
    }
}

private extension UInt8 {
    var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    var isHexDigit: Bool { isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self | 0x20) }
}
