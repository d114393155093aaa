import Foundation

/// Which operations a command acts on: by state, type, a regular expression over id, type and
/// description, and age. Filtering happens on the client because the API's `filter` syntax is undocumented.
public struct OperationFilter: Sendable {
    public var states: Set<OperationState>
    /// Upper-case type names (EXPORT_IMAGE, ...); empty means all.
    public var types: Set<String>
    public var pattern: TextPattern?
    /// Only operations created longer ago than this.
    public var olderThan: Duration?

    public init(states: Set<OperationState> = [], types: Set<String> = [], pattern: TextPattern? = nil, olderThan: Duration? = nil) {
        self.states = states
        self.types = Set(types.map { $0.uppercased() })
        self.pattern = pattern
        self.olderThan = olderThan
    }

    public var isEmpty: Bool { states.isEmpty && types.isEmpty && pattern == nil && olderThan == nil }

    public func matches(_ operation: LongRunningOperation, now: Date = Date()) -> Bool {
        if !states.isEmpty, !states.contains(operation.state) { return false }
        if !types.isEmpty, !types.contains((operation.metadata?.type ?? "").uppercased()) { return false }
        if let olderThan {
            guard let created = operation.metadata?.createTime, now.timeIntervalSince(created) > olderThan.seconds else { return false }
        }
        if let pattern, !pattern.matches(operation) { return false }
        return true
    }
}

/// A case-insensitive search: a regular expression, or plain text when the input is not a valid one.
/// An operation is searched by its id, type and description, one per line; `^` and `$` match at line ends.
/// Text without any regular-expression syntax is searched for directly (ASCII text byte by byte), which
/// gives the same answer as the expression without running a matcher, because the TUI filters every row
/// of its table at each key typed.
public struct TextPattern: Sendable {
    private let expression: RegularExpression?
    private let plain: String
    /// The lowercased text when it is ASCII and needs no expression.
    private let asciiNeedle: [UInt8]?
    /// True when the plain text holds a line break.
    private let spansLines: Bool
    public let source: String

    /// Strict: an invalid regular expression is an error (for command-line flags).
    public init(regex source: String) throws(PatternError) {
        self.init(typed: source)
        if expression == nil, !Self.isLiteral(source) { throw PatternError(pattern: source) }
    }

    /// Forgiving: what a user is typing may not be a valid expression yet; it is then searched for as text.
    public init(typed source: String) {
        let literal = Self.isLiteral(source)
        expression = literal ? nil : RegularExpression(source)
        plain = source.lowercased()
        asciiNeedle = literal && source.utf8.allSatisfy { $0 < 0x80 } ? Array(plain.utf8) : nil
        spansLines = source.utf8.contains(0x0A)
        self.source = source
    }

    /// True when the pattern is found in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { Search(self).matches(SearchedText(line: $0)) }
    }

    /// True when the pattern is found in the operation's id, type or description.
    public func matches(_ operation: LongRunningOperation) -> Bool {
        var id = operation.shortID, type = operation.metadata?.type ?? "", description = operation.metadata?.description ?? ""
        return id.withUTF8 { id in
            type.withUTF8 { type in
                description.withUTF8 { description in
                    Search(self).matches(SearchedText(id: id, type: type, description: description))
                }
            }
        }
    }

    /// ``matches(_:)-(LongRunningOperation)`` for `count` operations whose texts `row` gives, in order.
    /// The buffers must stay valid for the whole call; an expression over many rows is matched in slices on every core.
    public func matches(rows count: Int, _ row: (Int) -> SearchedText) -> [Bool] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard expression != nil, cores > 1, count >= 20_000 else {
            let search = Search(self)
            return (0..<count).map { search.matches(row($0)) }
        }
        var result = [Bool](repeating: false, count: count)
        let slices = cores * 2
        let sliceLength = (count + slices - 1) / slices
        // Safe because concurrentPerform returns only when every slice is done, so neither `row` nor the result's
        // buffer outlives these closures; each index is written by one slice only, and `row` must only read buffers
        // that stay unchanged for the call (TableRows.matches gives texts from `withTexts`).
        withoutActuallyEscaping(row) { row in
            let rows = UnsafeSendable(value: row)
            result.withUnsafeMutableBufferPointer { result in
                let output = UnsafeSendable(value: result)
                DispatchQueue.concurrentPerform(iterations: slices) { slice in
                    let search = Search(self)
                    for index in slice * sliceLength..<min(count, (slice + 1) * sliceLength) {
                        output.value[index] = search.matches(rows.value(index))
                    }
                }
            }
        }
        return result
    }

    /// One thread's search: the pattern with its own matcher.
    private struct Search {
        let pattern: TextPattern
        let matcher: RegularExpression.Matcher?

        init(_ pattern: TextPattern) {
            self.pattern = pattern
            matcher = pattern.expression?.matcher()
        }

        func matches(_ text: SearchedText) -> Bool {
            if let matcher { return matcher.matches(text) }
            if let needle = pattern.asciiNeedle, !pattern.spansLines {
                var found = false
                text.forEachLine { _, line in found = found || TextPattern.containsIgnoringASCIICase(line, needle) }
                return found
            }
            // Other text is compared as Swift compares strings; text that spans lines is looked for in the
            // lines joined, as an expression would.
            var lines: [String] = []
            text.forEachLine { _, line in lines.append(String(decoding: line, as: UTF8.self).lowercased()) }
            return pattern.spansLines ? lines.joined(separator: "\n").contains(pattern.plain) : lines.contains { $0.contains(pattern.plain) }
        }
    }

    /// A value handed to the threads of `concurrentPerform`, which use it within the call.
    // Safe only as used above: the threads use the value within the call, reading it or writing disjoint indices.
    private struct UnsafeSendable<Value>: @unchecked Sendable {
        let value: Value
    }

    /// True when `source` has no character with a meaning in a regular expression.
    static func isLiteral(_ source: String) -> Bool {
        !source.unicodeScalars.contains { "\\^$.|?*+()[]{}".unicodeScalars.contains($0) }
    }

    // `haystack` is read only during the call, at start + index < haystack.count (start <= count - needle.count).
    private static func containsIgnoringASCIICase(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        for start in 0...(haystack.count - needle.count) {
            var byte = haystack[start]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            guard byte == first else { continue }
            var index = 1
            while index < needle.count {
                var candidate = haystack[start + index]
                if candidate >= 0x41 && candidate <= 0x5A { candidate |= 0x20 }
                if candidate != needle[index] { break }
                index += 1
            }
            if index == needle.count { return true }
        }
        return false
    }

}

/// What a search reads of one operation, as UTF-8: its id, type and description, searched as three lines.
public struct SearchedText {
    // Invariant: the buffers are lent by the caller (String.withUTF8, PackedTexts.withTexts) and a SearchedText
    // is used only within that call, never stored; `forEachLine` lends them on for its `body`'s call.
    private let lines: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)
    private let count: Int

    public init(id: UnsafeBufferPointer<UInt8>, type: UnsafeBufferPointer<UInt8>, description: UnsafeBufferPointer<UInt8>) {
        lines = (id, type, description)
        count = 3
    }

    /// One text, searched as it is.
    init(line: UnsafeBufferPointer<UInt8>) {
        lines = (line, line, line)
        count = 1
    }

    /// The bytes of all lines.
    var byteCount: Int { count == 1 ? lines.0.count : lines.0.count + lines.1.count + lines.2.count + 2 }

    func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        body(0, lines.0)
        if count > 1 {
            body(1, lines.1)
            body(2, lines.2)
        }
    }
}

/// A regular expression that does not compile.
public struct PatternError: Error, CustomStringConvertible {
    public let pattern: String
    public var description: String { "invalid regular expression '\(pattern)'" }
}
