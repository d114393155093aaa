import Foundation

/// EECU-seconds (`batchEecuUsageSeconds`) added up over operations: in all, per state and per type. An
/// operation that reports none, or a value that is not a finite non-negative number, adds nothing.
public struct EECUTotals: Hashable, Sendable {
    public private(set) var total = 0.0
    public private(set) var byState: [OperationState: Double] = [:]
    /// Per `metadata.type`; operations without one are under "".
    public private(set) var byType: [String: Double] = [:]

    public init() {}

    public init(_ operations: some Sequence<LongRunningOperation>) {
        for operation in operations { add(operation) }
    }

    /// The operation's EECU-seconds, when it reports a usable value.
    public static func seconds(of operation: LongRunningOperation) -> Double? {
        guard let value = operation.metadata?.batchEecuUsageSeconds, value.isFinite, value >= 0 else { return nil }
        return value
    }

    public mutating func add(_ operation: LongRunningOperation) {
        guard let seconds = Self.seconds(of: operation) else { return }
        total += seconds
        byState[operation.state, default: 0] += seconds
        byType[operation.metadata?.type ?? "", default: 0] += seconds
    }
}

/// What `eeops summary` reports of a project: how many operations are in each state, what they cost, how
/// the failed ones failed, and how the queue drains.
public struct ProjectSummary: Sendable {
    public var project: String
    /// The number of operations summarised.
    public var operationCount: Int
    /// Operations per state; the states users select by (``OperationState/selectable``) are always present.
    public var states: [OperationState: Int]
    public var eecu: EECUTotals
    public var failures: [FailureGroup]
    public var queue: QueueEstimate

    public init(project: String, operations: [LongRunningOperation], now: Date) {
        self.project = project
        operationCount = operations.count
        var states = Dictionary(uniqueKeysWithValues: OperationState.selectable.map { ($0, 0) })
        for operation in operations { states[operation.state, default: 0] += 1 }
        self.states = states
        eecu = EECUTotals(operations)
        failures = FailureGroups.group(operations)
        queue = QueueEstimate(operations: operations, now: now)
    }
}

extension ProjectSummary: JSONWritable {
    /// `{"eecuSeconds": {"byState", "byType", "total"}, "failures": [...], "operations", "project", "queue",
    /// "states"}`: the members scripts rely on (docs/operator-view.md).
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("eecuSeconds")
        writer.beginObject()
        writer.key("byState")
        Self.writeMap(eecu.byState.map { ($0.key.apiValue, $0.value) }, to: &writer) { writer, value in writer.number(value) }
        writer.key("byType")
        Self.writeMap(eecu.byType.map { ($0.key, $0.value) }, to: &writer) { writer, value in writer.number(value) }
        writer.key("total")
        writer.number(eecu.total)
        writer.endObject()
        // Written even when empty (`array` leaves an empty one out): scripts rely on every member.
        writer.key("failures")
        writer.beginArray()
        for group in failures { group.write(to: &writer) }
        writer.endArray()
        writer.key("operations")
        writer.number(operationCount)
        writer.key("project")
        writer.string(project)
        writer.key("queue")
        queue.write(to: &writer)
        writer.key("states")
        Self.writeMap(states.map { ($0.key.apiValue, $0.value) }, to: &writer) { writer, value in writer.number(value) }
        writer.endObject()
    }

    /// An object of `entries`, keys in sorted order so that the same summary always gives the same bytes.
    private static func writeMap<Value>(_ entries: [(String, Value)], to writer: inout JSONWriter, _ write: (inout JSONWriter, Value) -> Void) {
        writer.beginObject()
        for (key, value) in entries.sorted(by: { $0.0 < $1.0 }) {
            writer.key(key)
            write(&writer, value)
        }
        writer.endObject()
    }
}
