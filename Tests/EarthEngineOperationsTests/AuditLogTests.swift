import Foundation
import Testing
@testable import EarthEngineOperations

@Suite("The audit log")
struct AuditLogTests {
    func temporaryPath() -> String { NSTemporaryDirectory() + "eeops-audit-test-\(UUID().uuidString)/audit.jsonl" }

    @Test func appendsWholeLinesAndNeverRewrites() async throws {
        let path = temporaryPath()
        let log = try AuditLog(path: path)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { log.record(AuditEntry(action: .cancel, stage: .sent, name: "projects/p/operations/OP\(index)", tool: "test")) }
            }
        }
        let second = try AuditLog(path: path) // reopening appends
        second.record(AuditEntry(action: .delete, stage: .accepted, name: "projects/p/operations/LAST", tool: "test"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 201)
        let names = Set(lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["name"] as? String })
        #expect(names.count == 201, "every line is a whole JSON object")
        #expect(lines.last?.contains("\"stage\":\"accepted\"") == true)
    }

    /// A batch (the operations of one `cancel --all`) is written whole, one line per entry, in order,
    /// between entries written one by one from other tasks.
    @Test func batchesAreWholeLinesInOrder() async throws {
        let path = temporaryPath()
        let log = try AuditLog(path: path)
        let batch = (0..<500).map { AuditEntry(action: .cancel, stage: .requested, name: "projects/p/operations/B\($0)", tool: "test") }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { log.record(batch) }
            for index in 0..<50 {
                group.addTask { log.record(AuditEntry(action: .cancel, stage: .sent, name: "projects/p/operations/S\(index)", tool: "test")) }
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 550)
        let names = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["name"] as? String }
        #expect(names.count == 550, "every line is a whole JSON object")
        let batchNames = names.filter { $0.contains("/B") }
        #expect(batchNames == batch.map(\.name), "the batch is contiguous and in order")
        let first = try #require(names.firstIndex(of: batch[0].name))
        #expect(Array(names[first..<first + 500]) == batch.map(\.name))
    }

    @Test func aPartialLineLeftByACrashIsClosedOff() throws {
        let path = temporaryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("{\"stage\":\"sent\",\"name\":\"projects/p/operations/A\"}\n{\"stage\":\"acc".utf8).write(to: URL(fileURLWithPath: path))
        let log = try AuditLog(path: path)
        log.record(AuditEntry(action: .cancel, stage: .final, name: "projects/p/operations/A", outcome: "CANCELLED", tool: "test"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("{\"stage\":\"sent\""), "earlier lines are kept as they were")
        #expect(lines[1] == "{\"stage\":\"acc")
        #expect((try? JSONSerialization.jsonObject(with: Data(lines[2].utf8))) != nil)
    }

    @Test func defaultPathFollowsXDG() {
        #expect(AuditLog.defaultPath(environment: ["XDG_STATE_HOME": "/s"]) == "/s/eeops/audit.jsonl")
        #expect(AuditLog.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/state/eeops/audit.jsonl")
    }

    @Test func unwritableLocationIsAClearError() {
        #expect(throws: OperationsError.self) { try AuditLog(path: "/proc/eeops-none/audit.jsonl") }
    }
}
