import Foundation
import GRDB
import Testing
@testable import EarthEngineOperations
@testable import OperationsHistory

/// The local history: what it keeps of an operation, that it rewrites only what changed, the report's groups
/// and periods, and the clear errors of a locked, damaged or newer database.
@Suite("The local history")
struct HistoryTests {
    static let day = 86_400.0
    static let start = Date(timeIntervalSince1970: 1_764_547_200) // 2025-12-01T00:00:00Z

    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "eeops-history-\(UUID().uuidString)/history.sqlite"
    }

    static func operation(_ id: String, project: String = "p", _ state: OperationState, type: String = "EXPORT_IMAGE",
                          endedOnDay day: Double, eecu: Double?, error: Status? = nil) -> LongRunningOperation {
        let end = start.addingTimeInterval(day * Self.day + 3600)
        let metadata = OperationMetadata(
            state: state, description: "job \(id)", type: type, createTime: end.addingTimeInterval(-600), updateTime: end,
            startTime: end.addingTimeInterval(-500), endTime: state.isTerminal ? end : nil, progress: state.isTerminal ? 1 : 0.5,
            batchEecuUsageSeconds: eecu
        )
        return LongRunningOperation(name: "projects/\(project)/operations/\(id)", metadata: metadata, done: state.isTerminal, error: error)
    }

    @Test func recordsKeepWhatTheHistoryShowsAndReadBackAsOperations() throws {
        let failed = Self.operation("F", .failed, endedOnDay: 0, eecu: 12.5, error: Status(code: 4, message: "Computation timed out."))
        let record = try #require(HistoryRecord(failed))
        #expect(record.project == "p" && record.state == "FAILED" && record.errorCode == 4 && record.eecuSeconds == 12.5)
        let back = record.operation
        #expect(back.name == failed.name && back.state == .failed && back.error?.message == "Computation timed out.")
        #expect(back.metadata?.endTime == failed.metadata?.endTime && back.metadata?.type == "EXPORT_IMAGE")
        let cancelled = try #require(HistoryRecord(Self.operation("C", .cancelled, endedOnDay: 0, eecu: nil, error: Status(code: 1, message: "Cancelled."))))
        #expect(cancelled.errorCode == nil, "a cancel is not an error to keep")
        #expect(cancelled.operation.state == .cancelled)
        #expect(HistoryRecord(LongRunningOperation(name: "not-an-operation-name")) == nil)
    }

    /// A second listing with one operation changed rewrites one row; the same listing again rewrites none.
    @Test func onlyChangedOperationsAreRewritten() throws {
        let history = try OperationHistory(path: Self.temporaryPath())
        var operations = (0..<50).map { Self.operation("OP\($0)", .running, endedOnDay: 0, eecu: Double($0)) }
        #expect(try history.record(operations.compactMap { HistoryRecord($0) }) == 50)
        #expect(try history.record(operations.compactMap { HistoryRecord($0) }) == 0)
        operations[7] = Self.operation("OP7", .succeeded, endedOnDay: 0, eecu: 70)
        #expect(try history.record(operations.compactMap { HistoryRecord($0) }) == 1)
        #expect(try history.count() == 50)
        let stored = try history.operations(project: "p", limit: 100)
        #expect(stored.count == 50)
        #expect(stored.first { $0.name.hasSuffix("/OP7") }?.state == "SUCCEEDED")
        #expect(try history.operations(project: "other", limit: 100).isEmpty)
    }

    @Test func theReportGroupsEECUByDayMonthTypeAndProjectWithinAPeriod() throws {
        let history = try OperationHistory(path: Self.temporaryPath())
        try history.record([
            Self.operation("A", .succeeded, endedOnDay: 0, eecu: 3600),
            Self.operation("B", .failed, type: "INGEST_IMAGE", endedOnDay: 0, eecu: 1800),
            Self.operation("C", .succeeded, endedOnDay: 1, eecu: 7200),
            Self.operation("D", .succeeded, endedOnDay: 31, eecu: 100),
            Self.operation("E", project: "q", .succeeded, endedOnDay: 1, eecu: 50),
            Self.operation("G", .succeeded, endedOnDay: 1, eecu: nil),
        ].compactMap { HistoryRecord($0) })
        let byDay = try history.report(ReportQuery(grouping: .day, projects: ["p"]))
        #expect(byDay.rows == [
            .init(key: "2025-12-01", eecuSeconds: 5400, operations: 2),
            .init(key: "2025-12-02", eecuSeconds: 7200, operations: 2),
            .init(key: "2026-01-01", eecuSeconds: 100, operations: 1),
        ])
        #expect(byDay.totalEECUSeconds == 12_700 && byDay.operations == 5)
        let byMonth = try history.report(ReportQuery(grouping: .month))
        #expect(byMonth.rows.map(\.key) == ["2025-12", "2026-01"] && byMonth.operations == 6)
        let byType = try history.report(ReportQuery(grouping: .type, projects: ["p"]))
        #expect(byType.rows.map(\.key) == ["EXPORT_IMAGE", "INGEST_IMAGE"])
        let byProject = try history.report(ReportQuery(grouping: .project))
        #expect(byProject.rows == [.init(key: "p", eecuSeconds: 12_700, operations: 5), .init(key: "q", eecuSeconds: 50, operations: 1)])
        let secondDay = try history.report(ReportQuery(grouping: .day, projects: ["p"], since: Self.start.addingTimeInterval(Self.day),
                                                       until: Self.start.addingTimeInterval(2 * Self.day)))
        #expect(secondDay.rows.map(\.key) == ["2025-12-02"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(secondDay.jsonBytes())) as? [String: Any])
        #expect((json["eecuSeconds"] as? [String: Double])?["total"] == 7200 && json["operations"] as? Int == 2)
        let both = try history.report(ReportQuery(grouping: .project, projects: ["q", "p", "r"]))
        #expect(both.rows.map(\.key) == ["p", "q"] && both.operations == 6, "several projects: each of them, none other")
        let onlyQ = try history.report(ReportQuery(grouping: .day, projects: ["q"]))
        #expect(onlyQ.operations == 1 && onlyQ.totalEECUSeconds == 50)
        let empty = try history.report(ReportQuery(grouping: .day, projects: ["nobody"]))
        let emptyJSON = try #require(try JSONSerialization.jsonObject(with: Data(empty.jsonBytes())) as? [String: Any])
        #expect(emptyJSON["rows"] as? [Any] != nil, "an empty report still has its rows member")
    }

    @Test func aDamagedFileIsReportedNotOverwritten() throws {
        let path = Self.temporaryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let garbage = Data(repeating: 0x5A, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect(throws: HistoryError.corrupt(path: path)) { try OperationHistory(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage, "the file is left as it was")
    }

    @Test func aDatabaseOfANewerEeopsIsLeftAlone() throws {
        let path = Self.temporaryPath()
        _ = try OperationHistory(path: path)
        let database = try DatabaseQueue(path: path)
        try database.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        #expect(throws: HistoryError.newerSchema(path: path)) { try OperationHistory(path: path) }
        let version = try database.read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        #expect(version == OperationHistory.schemaVersion)
    }

    /// Another process holding the write lock makes a batch fail as `locked` after the busy timeout, not hang.
    @Test func aLockedDatabaseFailsClearly() throws {
        let path = Self.temporaryPath()
        let history = try OperationHistory(path: path)
        let other = try DatabaseQueue(path: path)
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            #expect(throws: HistoryError.locked(path: path)) {
                try history.record([Self.operation("A", .running, endedOnDay: 0, eecu: 1)].compactMap { HistoryRecord($0) })
            }
            try db.execute(sql: "ROLLBACK")
        }
        #expect(try history.record([Self.operation("A", .running, endedOnDay: 0, eecu: 1)].compactMap { HistoryRecord($0) }) == 1)
    }

    /// The recorder writes what it was given, each operation once as last seen, and reports one failure.
    @Test func theRecorderWritesBatchesAndReportsAFailureOnce() async throws {
        let history = try OperationHistory(path: Self.temporaryPath())
        let recorder = HistoryRecorder(history: history) { _ in Issue.record("no failure expected") }
        for round in 0..<20 {
            recorder.add((0..<100).map { Self.operation("OP\($0)", .running, endedOnDay: 0, eecu: Double(round)) })
        }
        await recorder.finish()
        let stored = try history.operations(project: "p", limit: 1000)
        #expect(stored.count == 100)
        #expect(stored.allSatisfy { $0.eecuSeconds == 19 }, "the last copy of each operation is the one kept")

        let path = Self.temporaryPath()
        let doomed = try OperationHistory(path: path)
        let failures = Locked(0)
        let failing = HistoryRecorder(history: doomed) { _ in failures.withLock { $0 += 1 } }
        // Another process's transaction, held open across the test's accesses.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try await other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
        }
        failing.add([Self.operation("A", .running, endedOnDay: 0, eecu: 1)])
        failing.add([Self.operation("B", .running, endedOnDay: 0, eecu: 1)])
        await failing.finish()
        #expect(failures.withLock { $0 } == 1)
        try await other.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
    }

    /// A history written by the first schema is migrated in place, its rows kept; fingerprints stored with the
    /// records come back by name, and a changed record without one clears the one stored before.
    @Test func aFirstSchemaHistoryIsMigratedAndFingerprintsKept() throws {
        let path = Self.temporaryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let old = try DatabaseQueue(path: path)
        var first = DatabaseMigrator()
        let (name, migrate) = OperationHistory.migrations[0]
        first.registerMigration(name, migrate: migrate)
        try first.migrate(old)
        try old.write { try $0.execute(sql: "INSERT INTO operation (name, project, state, recordedAt) VALUES ('projects/p/operations/OLD', 'p', 'SUCCEEDED', 0)") }
        let history = try OperationHistory(path: path)
        #expect(try history.count() == 1)
        #expect(try old.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == OperationHistory.schemaVersion)
        let records = [Self.operation("A", .running, endedOnDay: 0, eecu: 1), Self.operation("B", .running, endedOnDay: 0, eecu: 2)]
            .enumerated().compactMap { HistoryRecord($0.element, fingerprint: UInt64.max - UInt64($0.offset)) }
        try history.record(records)
        #expect(try history.fingerprints(project: "p") == ["projects/p/operations/A": UInt64.max, "projects/p/operations/B": UInt64.max - 1])
        var changed = try #require(HistoryRecord(Self.operation("A", .succeeded, endedOnDay: 0, eecu: 5)))
        changed.fingerprint = nil
        #expect(try history.record([changed]) == 1)
        #expect(try history.fingerprints(project: "p") == ["projects/p/operations/B": UInt64.max - 1])
    }
}
