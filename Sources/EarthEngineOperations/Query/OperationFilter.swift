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
        if let pattern {
            let metadata = operation.metadata
            guard pattern.matches(operation.shortID) || pattern.matches(metadata?.type ?? "") || pattern.matches(metadata?.description ?? "")
            else { return false }
        }
        return true
    }
}

/// A case-insensitive search: a regular expression, or plain text when the input is not a valid one.
public struct TextPattern: @unchecked Sendable {
    // NSRegularExpression is immutable and documented thread-safe.
    private let regex: NSRegularExpression?
    private let plain: String
    public let source: String

    /// Strict: an invalid regular expression is an error (for command-line flags).
    public init(regex source: String) throws(PatternError) {
        do {
            regex = try NSRegularExpression(pattern: source, options: [.caseInsensitive])
        } catch {
            throw PatternError(pattern: source)
        }
        plain = source.lowercased()
        self.source = source
    }

    /// Forgiving: while a user is typing, text that is not (yet) a valid expression matches literally.
    public init(typed source: String) {
        regex = try? NSRegularExpression(pattern: source, options: [.caseInsensitive])
        plain = source.lowercased()
        self.source = source
    }

    public func matches(_ text: String) -> Bool {
        if let regex {
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        return text.lowercased().contains(plain)
    }
}

/// A regular expression that does not compile.
public struct PatternError: Error, CustomStringConvertible {
    public let pattern: String
    public var description: String { "invalid regular expression '\(pattern)'" }
}
