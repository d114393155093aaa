import EarthEngineOperations
import Foundation

/// The filter and sort of the table, as a value: applied to the server's order it gives the visible rows.
public struct TableQuery: Sendable {
    public var filterText: String
    public var activeOnly: Bool
    /// Only rows in these states; empty for every state.
    public var states: Set<OperationState>
    /// Only rows of these names (a failure group); nil for every row.
    public var names: Set<String>?
    public var sortKey: AppState.SortKey
    public var ascending: Bool
    /// Rows shown whatever the filter says (``AppState/tombstones``).
    public var alwaysShown: Set<String>
    /// Whether the rows are several projects' listings one after the other, so that the order by age is by
    /// creation time rather than the rows' order.
    public var mergesProjects: Bool

    public init(filterText: String, activeOnly: Bool, states: Set<OperationState> = [], names: Set<String>? = nil,
                sortKey: AppState.SortKey, ascending: Bool, alwaysShown: Set<String> = [], mergesProjects: Bool = false) {
        self.filterText = filterText
        self.activeOnly = activeOnly
        self.states = states
        self.names = names
        self.sortKey = sortKey
        self.ascending = ascending
        self.alwaysShown = alwaysShown
        self.mergesProjects = mergesProjects
    }

    /// The visible rows and what they add up to.
    package struct Result {
        /// The visible names, in the table's order.
        package var names: [String]
        /// The EECU-seconds of the visible rows that report a usable value.
        package var eecuSeconds: Double
        /// The visible rows the filter hides, shown because they are ``alwaysShown``.
        package var shownAnyway: Set<String> = []
    }

    /// The visible names: `operations` (in the server's order) filtered, then sorted stably (ties keep the
    /// server's order).
    public func apply(_ operations: [LongRunningOperation]) -> [String] {
        apply(TableRows(operations)).names
    }

    /// The same on the table's rows, which the state keeps between refreshes. Sorting compares
    /// integers and packed bytes by position, never whole operations, so that a comparison reads no operation
    /// and counts no references.
    package func apply(_ rows: TableRows) -> Result {
        let matched = filterText.isEmpty ? nil : rows.matches(TextPattern(typed: filterText))
        let ranks = states.isEmpty ? nil : Set(states.map { Int8(Self.rank($0)) })
        var kept: [Int32] = []
        kept.reserveCapacity(rows.count)
        var eecuSeconds = 0.0
        var shownAnyway: Set<String> = []
        for index in 0..<rows.count {
            var hidden = false
            if activeOnly, !rows.isActive[index] {
                hidden = true
            } else if let ranks, !ranks.contains(rows.stateRanks[index]) {
                hidden = true
            } else if let names, !names.contains(rows.names[index]) {
                hidden = true
            } else if let matched, !matched[index] {
                hidden = true
            }
            if hidden {
                guard !alwaysShown.isEmpty, alwaysShown.contains(rows.names[index]) else { continue }
                shownAnyway.insert(rows.names[index])
            }
            kept.append(Int32(index))
            if let seconds = TableRows.usableEECU(rows.eecu[index]) { eecuSeconds += seconds }
        }
        // Server order is newest first: "age descending" keeps it; other keys break ties by it. Several projects'
        // listings are each newest first, so across them the creation times decide.
        switch sortKey {
        case .age where mergesProjects: Self.sort(&kept, by: rows.created, ascending: ascending)
        case .age: if ascending { kept.reverse() }
        case .state: Self.sort(&kept, by: rows.stateRanks, ascending: ascending)
        case .eecu: Self.sort(&kept, by: rows.eecu, ascending: ascending)
        case .description: rows.descriptionBytes.sort(&kept, ascending: ascending)
        case .type: rows.typeBytes.sort(&kept, ascending: ascending)
        }
        return Result(names: kept.map { rows.names[Int($0)] }, eecuSeconds: eecuSeconds, shownAnyway: shownAnyway)
    }

    /// Sorts positions by their keys, ties by position (so the sort is stable).
    private static func sort<Key: Comparable>(_ positions: inout [Int32], by keys: [Key], ascending: Bool) {
        let keys = keys.span
        positions.sort { a, b in
            let keyA = keys[Int(a)], keyB = keys[Int(b)]
            if keyA != keyB { return ascending ? keyA < keyB : keyA > keyB }
            return a < b
        }
    }

    /// Active states first when ascending: RUNNING, CANCELLING, PENDING, then FAILED, CANCELLED, SUCCEEDED.
    static func rank(_ state: OperationState) -> Int {
        switch state {
        case .running: 0
        case .cancelling: 1
        case .pending: 2
        case .failed: 3
        case .cancelled: 4
        case .succeeded: 5
        case .unspecified: 6
        case .unknown: 7
        }
    }
}

/// The TUI's operations in the server's order, with what filtering and sorting read of each, column by column: a
/// few numbers per row, and the sort texts packed into one byte buffer so that comparing them costs no reference
/// counting. The one place the state keeps operations: an operation that changes is updated in its row in place;
/// rows that come first, go, or move are laid out again.
package struct TableRows: Sendable {
    /// The operations, in the server's order (or the order the poller's events gave).
    private(set) var operations: [LongRunningOperation] = []
    /// Their names, which the visible rows are given as (read here, not from each operation's object).
    private(set) var names: [String] = []
    var stateRanks: [Int8] = []
    var isActive: [Bool] = []
    var eecu: [Double] = []
    /// Creation times (seconds since 1970; -infinity for none), for the order by age across projects.
    var created: [Double] = []
    /// The id, type and description of each row, which the filter searches and the sort compares.
    var idBytes = PackedTexts()
    var typeBytes = PackedTexts()
    var descriptionBytes = PackedTexts()
    /// Where each name's row is.
    private var rowOfName = NameIndex()

    var count: Int { operations.count }

    /// An EECU column value as a number to add up: nil for a row without one (-1) and for values no sum can take.
    static func usableEECU(_ value: Double) -> Double? { value >= 0 && value.isFinite ? value : nil }

    /// The EECU-seconds of every row that reports a usable value.
    var totalEECU: Double { eecu.reduce(0) { $0 + (Self.usableEECU($1) ?? 0) } }

    package init() {}

    /// Rows of `operations` in their order; a name that repeats keeps its first row.
    package init(_ operations: [LongRunningOperation]) {
        append(operations)
        idBytes.trim()
        typeBytes.trim()
        descriptionBytes.trim()
    }

    /// The operation of this name, if it has a row.
    func operation(named name: String) -> LongRunningOperation? {
        rowOfName.position(of: name, in: names).map { operations[Int($0)] }
    }

    func contains(_ name: String) -> Bool { rowOfName.position(of: name, in: names) != nil }

    /// Adds rows after the last; an operation that already has a row is updated in it instead, and of one named
    /// twice, the first is kept.
    mutating func append(_ newcomers: [LongRunningOperation]) {
        reserve(count + newcomers.count)
        let first = operations.count
        for operation in newcomers where !update(operation) {
            let metadata = operation.metadata
            operations.append(operation)
            names.append(operation.name)
            idBytes.append(operation.shortID)
            stateRanks.append(Int8(TableQuery.rank(operation.state)))
            isActive.append(operation.state.isActive)
            eecu.append(metadata?.batchEecuUsageSeconds ?? -1)
            created.append(metadata?.createTime?.timeIntervalSince1970 ?? -.infinity)
            typeBytes.append(metadata?.type ?? "")
            descriptionBytes.append(metadata?.description ?? "")
        }
        let repeated = Set(rowOfName.add(first..<operations.count, of: names))
        if !repeated.isEmpty { // a name twice among the newcomers: its first row is kept
            self = TableRows(operations.indices.filter { !repeated.contains($0) }.map { operations[$0] })
        }
    }

    private mutating func reserve(_ capacity: Int) {
        operations.reserveCapacity(capacity)
        names.reserveCapacity(capacity)
        stateRanks.reserveCapacity(capacity)
        isActive.reserveCapacity(capacity)
        eecu.reserveCapacity(capacity)
        created.reserveCapacity(capacity)
    }

    /// Puts rows before the first, in the order given (newcomers: the newest operations).
    mutating func insertFirst(_ newcomers: [LongRunningOperation]) {
        guard !newcomers.isEmpty else { return }
        self = TableRows(newcomers + operations)
    }

    /// Removes the rows of these names.
    mutating func remove(_ gone: Set<String>) {
        guard gone.contains(where: contains) else { return }
        self = TableRows(operations.filter { !gone.contains($0.name) })
    }

    /// Lays the rows out in this order of names; rows not named are dropped.
    mutating func reorder(_ names: [String]) {
        self = TableRows(names.compactMap { operation(named: $0) })
    }

    /// Updates the row of an operation already in the table (false when it has none). A changed type or
    /// description lays the packed texts out again.
    @discardableResult
    mutating func update(_ operation: LongRunningOperation) -> Bool {
        guard let found = rowOfName.position(of: operation.name, in: names) else { return false }
        let row = Int(found), metadata = operation.metadata
        operations[row] = operation
        stateRanks[row] = Int8(TableQuery.rank(operation.state))
        isActive[row] = operation.state.isActive
        eecu[row] = metadata?.batchEecuUsageSeconds ?? -1
        created[row] = metadata?.createTime?.timeIntervalSince1970 ?? -.infinity
        if !typeBytes.holds(metadata?.type ?? "", at: row) || !descriptionBytes.holds(metadata?.description ?? "", at: row) {
            self = TableRows(operations)
        }
        return true
    }
}

extension TableRows {
    /// Which rows the pattern finds, read from the packed texts without a copy.
    func matches(_ pattern: TextPattern) -> [Bool] {
        let id = idBytes, type = typeBytes, description = descriptionBytes
        return pattern.matches(rows: count) { index, search in
            search(SearchedText(id: id.text(index), type: type.text(index), description: description.text(index)))
        }
    }
}

/// Many texts in one byte buffer, ordered by their UTF-8 bytes (code point order: fast, and the same everywhere).
package struct PackedTexts: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int32] = [0]

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        starts.append(Int32(bytes.count))
    }

    /// Gives back the room that growing by appending left unused (a quarter on average).
    mutating func trim() {
        func exactCopy<Element>(_ array: [Element]) -> [Element] {
            // Not for an empty array: made with no capacity, it would write its count into the standard library's
            // one shared empty storage, which the thread sanitizer reports as a race between threads doing so.
            guard !array.isEmpty else { return [] }
            return Array(capacity: array.count) { output in
                for element in array { output.append(element) }
            }
        }
        bytes = exactCopy(bytes)
        starts = exactCopy(starts)
    }

    /// The UTF-8 bytes of text `index`.
    @_lifetime(borrow self)
    func text(_ index: Int) -> Span<UInt8> {
        bytes.span.extracting(Int(starts[index])..<Int(starts[index + 1]))
    }

    /// True when the text at `index` is `text`.
    func holds(_ text: String, at index: Int) -> Bool {
        bytes[Int(starts[index])..<Int(starts[index + 1])].elementsEqual(text.utf8)
    }

    /// Sorts positions by their texts, ties by position (stable).
    func sort(_ positions: inout [Int32], ascending: Bool) {
        positions.sort { a, b in
            let order = text(Int(a)).compareBytes(text(Int(b)))
            if order != 0 { return ascending ? order < 0 : order > 0 }
            return a < b
        }
    }
}
