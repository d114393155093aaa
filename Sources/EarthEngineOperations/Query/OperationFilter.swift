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
        Search(self).matches(SearchedText(line: text.utf8.span))
    }

    /// True when the pattern is found in the operation's id, type or description.
    public func matches(_ operation: LongRunningOperation) -> Bool {
        let id = operation.shortID, type = operation.metadata?.type ?? "", description = operation.metadata?.description ?? ""
        return Search(self).matches(SearchedText(id: id.utf8.span, type: type.utf8.span, description: description.utf8.span))
    }

    /// ``matches(_:)-(LongRunningOperation)`` for `count` operations: `row` gives operation `index`'s texts to
    /// the search it is handed and returns its answer. An expression over many rows is matched in slices on
    /// every core.
    public func matches(rows count: Int, _ row: @Sendable (_ index: Int, _ search: (SearchedText) -> Bool) -> Bool) -> [Bool] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard expression != nil, cores > 1, count >= 20_000 else {
            let search = Search(self)
            return (0..<count).map { index in row(index) { search.matches($0) } }
        }
        let slices = cores * 2
        let sliceLength = (count + slices - 1) / slices
        let found = Locked([[Bool]](repeating: [], count: slices))
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let search = Search(self)
            let matched = (slice * sliceLength..<min(count, (slice + 1) * sliceLength)).map { index in row(index) { search.matches($0) } }
            found.withLock { $0[slice] = matched }
        }
        return found.withLock { $0.flatMap { $0 } }
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
            text.forEachLine { _, line in lines.append(String(decodingUTF8: line).lowercased()) }
            return pattern.spansLines ? lines.joined(separator: "\n").contains(pattern.plain) : lines.contains { $0.contains(pattern.plain) }
        }
    }

    /// True when `source` has no character with a meaning in a regular expression.
    static func isLiteral(_ source: String) -> Bool {
        !source.unicodeScalars.contains { "\\^$.|?*+()[]{}".unicodeScalars.contains($0) }
    }

    private static func containsIgnoringASCIICase(_ haystack: Span<UInt8>, _ needle: [UInt8]) -> Bool {
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
public struct SearchedText: ~Escapable {
    private let id: Span<UInt8>
    private let type: Span<UInt8>
    private let description: Span<UInt8>
    private let count: Int

    @_lifetime(copy id, copy type, copy description)
    public init(id: Span<UInt8>, type: Span<UInt8>, description: Span<UInt8>) {
        self.id = id
        self.type = type
        self.description = description
        count = 3
    }

    /// One text, searched as it is.
    @_lifetime(copy line)
    init(line: Span<UInt8>) {
        id = line
        type = line
        description = line
        count = 1
    }

    /// The bytes of all lines.
    var byteCount: Int { count == 1 ? id.count : id.count + type.count + description.count + 2 }

    func forEachLine(_ body: (Int, Span<UInt8>) -> Void) {
        body(0, id)
        if count > 1 {
            body(1, type)
            body(2, description)
        }
    }
}

/// A regular expression that does not compile.
public struct PatternError: Error, CustomStringConvertible {
    public let pattern: String
    public var description: String { "invalid regular expression '\(pattern)'" }
}
