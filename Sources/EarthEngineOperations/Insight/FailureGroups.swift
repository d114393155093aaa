/// Failed operations that went wrong the same way: one error code and one message once the ids and numbers
/// inside it are set aside, so that "Asset 'projects/p/assets/a1' not found." and the same for `a2` count as one.
public struct FailureGroup: Hashable, Sendable {
    /// The error's message with numbers written `#` and ids, paths and quoted names containing either written
    /// `…` (``FailureGroups/normalize(_:)``); the server's text, not yet sanitised for a terminal.
    public var message: String
    /// The google.rpc code of the group's errors.
    public var code: Int
    /// The full names of the group's operations, in the order they were given.
    public var names: [String]

    public var count: Int { names.count }

    public init(message: String, code: Int, names: [String]) {
        self.message = message
        self.code = code
        self.names = names
    }
}

extension FailureGroup: JSONWritable {
    /// `{"code", "count", "message", "names"}`, as `eeops summary` and `eeops list --group-by error` print it.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("code")
        writer.number(code)
        writer.key("count")
        writer.number(count)
        writer.key("message")
        writer.string(message)
        writer.key("names")
        writer.beginArray()
        for name in names { writer.string(name) }
        writer.endArray()
        writer.endObject()
    }
}

/// Groups the FAILED operations of a listing by their error (``FailureGroup``).
public enum FailureGroups {
    /// The groups of the FAILED operations among `operations`, the largest first (equal sizes in the order of
    /// their messages). Operations in other states are left out.
    public static func group(_ operations: some Sequence<LongRunningOperation>) -> [FailureGroup] {
        var groups: [FailureGroup] = []
        var index: [Key: Int] = [:]
        for operation in operations where operation.state == .failed {
            let key = Key(code: operation.error?.code ?? RPCCode.unknown.rawValue, message: normalize(operation.error?.message ?? ""))
            if let position = index[key] {
                groups[position].names.append(operation.name)
            } else {
                index[key] = groups.count
                groups.append(FailureGroup(message: key.message, code: key.code, names: [operation.name]))
            }
        }
        return groups.sorted { a, b in
            a.count != b.count ? a.count > b.count : (a.message != b.message ? a.message < b.message : a.code < b.code)
        }
    }

    private struct Key: Hashable {
        let code: Int
        let message: String
    }

    /// `message` with what differs from one operation to the next set aside: a number (`1220000000`, `3.5`,
    /// `1,024`) becomes `#`, keeping a unit written right after it (`10m` → `#m`); any other word that holds a
    /// digit (`a1b2c3d4`, `B4`) becomes `…`, as does a word of 16 or more capitals and digits (an operation id;
    /// no capitalised English word is that long) and a quoted text holding a digit or a `/` (an asset path);
    /// runs of white space become one space. Words without digits and short quoted names stay as written, so
    /// that "Parameter 'geometry' is required." keeps what it is about.
    public static func normalize(_ message: String) -> String {
        var output = ""
        output.reserveCapacity(message.utf8.count)
        let characters = Array(message.unicodeScalars)
        var index = 0
        var pendingSpace = false
        func emit(_ text: some StringProtocol) {
            if pendingSpace, !output.isEmpty { output.append(" ") }
            pendingSpace = false
            output.append(contentsOf: text)
        }
        while index < characters.count {
            let scalar = characters[index]
            if scalar.properties.isWhitespace {
                pendingSpace = true
                index += 1
            } else if isQuote(scalar), let close = characters[(index + 1)...].firstIndex(of: scalar) {
                let inside = characters[(index + 1)..<close]
                let variable = inside.contains { isDigit($0) || $0 == "/" }
                emit(variable ? "\(scalar)…\(scalar)" : String(String.UnicodeScalarView(characters[index...close])))
                index = close + 1
            } else if isWordPart(scalar) {
                var end = index
                while end < characters.count, isWordPart(characters[end]) || (isNumberPunctuation(characters[end]) && end + 1 < characters.count && isDigit(characters[end + 1])) {
                    end += 1
                }
                emit(normalizeWord(characters[index..<end]))
                index = end
            } else {
                emit(String(scalar))
                index += 1
            }
        }
        return output
    }

    private static func normalizeWord(_ word: ArraySlice<Unicode.Scalar>) -> String {
        if word.count >= 16, word.allSatisfy({ ("A"..."Z").contains($0) || isDigit($0) }) { return "…" }
        guard word.contains(where: isDigit) else { return String(String.UnicodeScalarView(word)) }
        // A number, possibly with a unit after it: digits and their punctuation, then letters only.
        let numberEnd = word.firstIndex { !isDigit($0) && !isNumberPunctuation($0) } ?? word.endIndex
        let unit = word[numberEnd...]
        if numberEnd > word.startIndex, isDigit(word[word.startIndex]), !unit.contains(where: isDigit), !unit.contains("_") {
            return "#" + String(String.UnicodeScalarView(unit))
        }
        return "…"
    }

    private static func isQuote(_ scalar: Unicode.Scalar) -> Bool { scalar == "'" || scalar == "\"" || scalar == "`" }
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private static func isNumberPunctuation(_ scalar: Unicode.Scalar) -> Bool { scalar == "." || scalar == "," }
    private static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || isDigit(scalar) || scalar == "_" || scalar == "-"
    }
}
