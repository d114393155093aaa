import Foundation

/// One shared copy of the values that repeat across a project's operations: the metadata's `@type`, the
/// stages' names and descriptions, how operations ended (most often with a `google.protobuf.Empty`
/// response). Decoding keeps these copies instead of one heap allocation per operation, so that what these
/// values take does not grow with the number of operations.
///
/// Each table is bounded, so a server that never repeats itself costs a fixed amount and no more: once
/// full, new values are returned as decoded.
///
/// Every decoding thread uses these tables at once, under a lock.
final class SharedValues<Value: Hashable & Sendable>: Sendable {
    private let table = Locked(Set<Value>())
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The shared copy equal to `value`, kept as the shared copy when the table has room.
    func shared(_ value: Value) -> Value {
        table.withLock { table in
            if table.count < capacity { return table.insert(value).memberAfterInsert }
            return table.firstIndex(of: value).map { table[$0] } ?? value
        }
    }

    /// Values the table holds, for tests.
    var count: Int { table.withLock { $0.count } }
}

enum Shared {
    /// Strings longer than this are rarely repeated; shorter than 16 bytes, Swift stores them inline anyway.
    static let longestString = 256

    static let strings = SharedValues<String>(capacity: 4096)
    static let outcomes = SharedValues<LongRunningOperation.Outcome>(capacity: 1024)

    /// The shared copy of a string that is worth sharing (16 to 256 bytes), else the string itself.
    static func string(_ value: String) -> String {
        let length = value.utf8.count
        return length > 15 && length <= longestString ? strings.shared(value) : value
    }

    /// True for a JSON value of at most 8 nodes without a string over 256 bytes.
    static func isWorthSharing(_ value: JSONValue) -> Bool {
        var budget = 8
        return value.fits(&budget)
    }

    /// The shared copy of how an operation ended (such as `{"@type": "…Empty"}`, or an error with a short
    /// message and few details), else the outcome itself.
    static func outcome(_ value: LongRunningOperation.Outcome) -> LongRunningOperation.Outcome {
        var budget = 8
        let small = value.response.map { $0.fits(&budget) } ?? true
            && value.error.map { $0.message.utf8.count <= longestString && $0.details.allSatisfy { $0.fits(&budget) } } ?? true
        return small ? outcomes.shared(value) : value
    }
}

extension JSONValue {
    /// True when the value has at most `budget` nodes and no string or key over 256 bytes (the budget is spent).
    fileprivate func fits(_ budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch self {
        case .null, .bool, .number: return true
        case .string(let text): return text.utf8.count <= Shared.longestString
        case .array(let values): return values.allSatisfy { $0.fits(&budget) }
        case .object(let members):
            return members.allSatisfy { $0.key.utf8.count <= Shared.longestString && $0.value.fits(&budget) }
        }
    }
}
