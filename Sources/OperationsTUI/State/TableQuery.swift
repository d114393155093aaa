import EarthEngineOperations
import Foundation

/// The filter and sort of the table, as a value: applied to the server's order it gives the visible rows.
public struct TableQuery: Sendable {
    public var filterText: String
    public var activeOnly: Bool
    public var sortKey: AppState.SortKey
    public var ascending: Bool

    public init(filterText: String, activeOnly: Bool, sortKey: AppState.SortKey, ascending: Bool) {
        self.filterText = filterText
        self.activeOnly = activeOnly
        self.sortKey = sortKey
        self.ascending = ascending
    }

    public func apply(order: [String], operations: [String: LongRunningOperation]) -> [String] {
        let pattern = filterText.isEmpty ? nil : TextPattern(typed: filterText)
        var rows: [(name: String, operation: LongRunningOperation, position: Int)] = []
        rows.reserveCapacity(order.count)
        for (position, name) in order.enumerated() {
            guard let operation = operations[name] else { continue }
            if activeOnly, !operation.state.isActive { continue }
            if let pattern {
                let metadata = operation.metadata
                guard pattern.matches(operation.shortID) || pattern.matches(metadata?.type ?? "") || pattern.matches(metadata?.description ?? "")
                else { continue }
            }
            rows.append((name, operation, position))
        }
        // Server order is newest first: "age descending" keeps it; other keys break ties by it.
        let up = ascending
        func before<T: Comparable>(_ a: T, _ b: T, _ positionA: Int, _ positionB: Int) -> Bool {
            a != b ? (up ? a < b : a > b) : positionA < positionB
        }
        switch sortKey {
        case .age:
            if ascending { rows.reverse() }
        case .state:
            rows.sort { before(Self.rank($0.operation.state), Self.rank($1.operation.state), $0.position, $1.position) }
        case .description:
            rows.sort { before($0.operation.metadata?.description ?? "", $1.operation.metadata?.description ?? "", $0.position, $1.position) }
        case .type:
            rows.sort { before($0.operation.metadata?.type ?? "", $1.operation.metadata?.type ?? "", $0.position, $1.position) }
        case .eecu:
            rows.sort { before($0.operation.metadata?.batchEecuUsageSeconds ?? -1, $1.operation.metadata?.batchEecuUsageSeconds ?? -1, $0.position, $1.position) }
        }
        return rows.map(\.name)
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
