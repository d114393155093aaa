import EarthEngineOperations
import Foundation
import Testing
@testable import OperationsTUI

@Suite("Table filter and sort")
struct TableQueryTests {
    /// Operations with many ties (few types, repeated descriptions and usage), in server order.
    static let rows: [LongRunningOperation] = (0..<400).map { index in
        let states: [OperationState] = [.running, .pending, .succeeded, .failed, .cancelled, .cancelling]
        let descriptions = ["黄河流域_NDVI", "Überschwemmung", "export b", "Export a", "", "zeta"]
        var metadata = OperationMetadata(state: states[index * 7 % states.count], description: descriptions[index * 5 % descriptions.count],
                                         type: ["EXPORT_IMAGE", "INGEST_TABLE", "EXPORT_VIDEO"][index * 3 % 3])
        metadata.batchEecuUsageSeconds = index % 4 == 0 ? nil : Double(index % 9)
        return LongRunningOperation(name: "projects/p/operations/OP\(index)", metadata: metadata)
    }

    @Test(arguments: AppState.SortKey.allCases, [true, false])
    func sortsStablyLikeAReferenceSort(key: AppState.SortKey, ascending: Bool) {
        let order = Self.rows.map(\.name)
        let byName = Dictionary(uniqueKeysWithValues: Self.rows.map { ($0.name, $0) })
        let result = TableQuery(filterText: "", activeOnly: false, sortKey: key, ascending: ascending).apply(order.map { byName[$0]! })
        // Reference: compare keys, ties by server position.
        func compare(_ a: LongRunningOperation, _ b: LongRunningOperation) -> Int {
            switch key {
            case .age: return 0
            case .state: return TableQuery.rank(a.state) - TableQuery.rank(b.state)
            case .eecu:
                let x = a.metadata?.batchEecuUsageSeconds ?? -1, y = b.metadata?.batchEecuUsageSeconds ?? -1
                return x < y ? -1 : (x > y ? 1 : 0)
            case .description, .type:
                let x = Array(((key == .type ? a.metadata?.type : a.metadata?.description) ?? "").utf8)
                let y = Array(((key == .type ? b.metadata?.type : b.metadata?.description) ?? "").utf8)
                return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
            }
        }
        var expected = Array(Self.rows.enumerated())
        expected.sort { first, second in
            let order = compare(first.element, second.element)
            if order != 0 { return ascending ? order < 0 : order > 0 }
            return first.offset < second.offset
        }
        let reference = key == .age && ascending ? order.reversed() : expected.map(\.element.name)
        #expect(result == reference)
    }

    @Test func filtersByIdTypeOrDescriptionAndActiveOnly() {
        let order = Self.rows.map(\.name)
        let byName = Dictionary(uniqueKeysWithValues: Self.rows.map { ($0.name, $0) })
        let export = TableQuery(filterText: "EXPORT", activeOnly: false, sortKey: .age, ascending: false).apply(order.map { byName[$0]! })
        #expect(export == Self.rows.filter { ($0.metadata?.type ?? "").hasPrefix("EXPORT") || ($0.metadata?.description ?? "").lowercased().contains("export") }.map(\.name))
        let id = TableQuery(filterText: "op39", activeOnly: false, sortKey: .age, ascending: false).apply(order.map { byName[$0]! })
        #expect(id == ["projects/p/operations/OP39"] + (390...399).map { "projects/p/operations/OP\($0)" })
        let active = TableQuery(filterText: "", activeOnly: true, sortKey: .age, ascending: false).apply(order.map { byName[$0]! })
        #expect(active == Self.rows.filter(\.state.isActive).map(\.name))
        let regex = TableQuery(filterText: "^op1.$", activeOnly: false, sortKey: .age, ascending: false).apply(order.map { byName[$0]! })
        #expect(regex == (10...19).map { "projects/p/operations/OP\($0)" })
    }

    /// The index of the rows by name finds every name added, batch after batch, at its first position; a name
    /// added again (in a later batch or twice in one) is reported and not indexed twice; absent names are not found.
    @Test func theNameIndexFindsEachNameAtItsFirstPosition() {
        var names: [String] = []
        var index = NameIndex()
        var firstPosition: [String: Int32] = [:]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<30 {
            let start = names.count
            names += (0..<Int.random(in: 0..<60, using: &random)).map { _ in "projects/p/operations/\(Int.random(in: 0..<800, using: &random))" }
            let repeated = Set(index.add(start..<names.count, of: names))
            for position in start..<names.count {
                if firstPosition[names[position]] == nil {
                    firstPosition[names[position]] = Int32(position)
                    #expect(!repeated.contains(position))
                } else {
                    #expect(repeated.contains(position), "\(names[position]) again at \(position)")
                }
            }
        }
        #expect(index.count == firstPosition.count)
        #expect(firstPosition.allSatisfy { index.position(of: $0.key, in: names) == $0.value })
        #expect(index.position(of: "projects/p/operations/absent", in: names) == nil)
    }

    /// The table's rows are the state's one copy of the operations: each way of changing them (appending pages,
    /// newcomers first, updates in place or with a new description, removals, a new order) keeps every name's row,
    /// the order and the packed texts the filter reads in step.
    @Test func theRowsKeepTheirIndexInStepWhateverChangesThem() {
        let project = Fixtures.project
        func check(_ rows: TableRows, _ expected: [LongRunningOperation], _ step: String) {
            #expect(rows.operations.map(\.name) == expected.map(\.name), "\(step): order")
            #expect(expected.allSatisfy { rows.operation(named: $0.name) == $0 }, "\(step): every name finds its operation")
            let byDescription = rows.matches(TextPattern(typed: "renamed"))
            #expect(byDescription == expected.map { $0.metadata?.description == "renamed" }, "\(step): the texts are in step")
        }
        var rows = TableRows(Array(project[0..<3]))
        rows.append(Array(project[3...]) + [project[0]]) // a name seen again is updated, not added
        check(rows, project, "append")
        let newest = Fixtures.operation("NEW0ZZZZZZZZZZZZZZZZZZZZ", .pending, minutesAgo: 0)
        rows.insertFirst([newest])
        check(rows, [newest] + project, "insertFirst")
        var renamed = project[5]
        renamed.metadata?.description = "renamed"
        let updated = rows.update(renamed)
        #expect(updated)
        var expected = [newest] + project
        expected[6] = renamed
        check(rows, expected, "update with a new description")
        rows.remove([project[1].name, newest.name])
        expected.removeAll { $0.name == project[1].name || $0.name == newest.name }
        check(rows, expected, "remove")
        rows.reorder(expected.reversed().map(\.name) + ["projects/demo/operations/UNKNOWN"])
        check(rows, expected.reversed(), "reorder")
        let updatedAfterRemoval = rows.update(newest)
        #expect(!updatedAfterRemoval, "a removed operation has no row")
    }
}
