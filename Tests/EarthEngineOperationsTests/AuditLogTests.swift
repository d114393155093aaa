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
                group.addTask { try? log.record(AuditEntry(action: .cancel, stage: .sent, name: "projects/p/operations/OP\(index)", tool: "test")) }
            }
        }
        let second = try AuditLog(path: path) // reopening appends
        try second.record(AuditEntry(action: .delete, stage: .accepted, name: "projects/p/operations/LAST", tool: "test"))
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
            group.addTask { try? log.record(batch) }
            for index in 0..<50 {
                group.addTask { try? log.record(AuditEntry(action: .cancel, stage: .sent, name: "projects/p/operations/S\(index)", tool: "test")) }
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
        try log.record(AuditEntry(action: .cancel, stage: .final, name: "projects/p/operations/A", outcome: "CANCELLED", tool: "test"))
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

    /// A write that fails (a full disk) throws, and so does every write after it: nothing may be sent that the
    /// log could not record.
    @Test func aFailedWriteThrowsAndTheLogStaysFailed() throws {
        let log = try AuditLog(path: "/dev/full")
        #expect(log.failure == nil)
        #expect(throws: AuditWriteError.self) { try log.record(AuditEntry(action: .cancel, stage: .requested, name: "projects/p/operations/A", tool: "test")) }
        let failure = try #require(log.failure)
        #expect(failure.description.contains("/dev/full"))
        #expect(failure.description.contains("No space left on device"), "\(failure)")
        #expect(throws: AuditWriteError.self) { try log.record(AuditEntry(action: .cancel, stage: .sent, name: "projects/p/operations/A", tool: "test")) }
    }

    /// The demo's temporary logs are new files of their own, private to the user, each under a name of its own.
    @Test func temporaryLogsAreNewPrivateFiles() throws {
        let first = try AuditLog.temporary(prefix: "eeops-test-audit-")
        let second = try AuditLog.temporary(prefix: "eeops-test-audit-")
        defer { for log in [first, second] { try? FileManager.default.removeItem(atPath: log.path) } }
        #expect(first.path != second.path)
        try first.record(AuditEntry(action: .cancel, stage: .requested, name: "projects/p/operations/A", tool: "test"))
        let written = try String(contentsOfFile: first.path, encoding: .utf8)
        #expect(written.hasSuffix("\n") && written.contains("projects/p/operations/A"))
        let mode = try FileManager.default.attributesOfItem(atPath: second.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try String(contentsOfFile: second.path, encoding: .utf8).isEmpty)
    }

    /// A log on a device that cannot sync (/dev/null) is written all the same.
    @Test func aDeviceThatCannotSyncIsWritten() throws {
        let log = try AuditLog(path: "/dev/null")
        try log.record(AuditEntry(action: .cancel, stage: .requested, name: "projects/p/operations/A", tool: "test"))
        #expect(log.failure == nil)
    }

    /// A symbolic link at the log's path is refused: it could send the lines elsewhere.
    @Test func aSymbolicLinkIsRefused() throws {
        let path = temporaryPath()
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: folder + "/elsewhere.jsonl")
        #expect(throws: OperationsError.self) { try AuditLog(path: path) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/elsewhere.jsonl"))
    }

    /// The gate refuses a request whose `sent` line could not be written, and every request after it.
    @Test func theGateStopsWhenTheLogCannotBeWritten() throws {
        let log = try AuditLog(path: "/dev/full")
        let gate = SendGate()
        #expect(throws: OperationsError.self) {
            try gate.admit("A") { () throws(AuditWriteError) in try log.record(AuditEntry(action: .cancel, stage: .sent, name: "A", tool: "test")) }
        }
        #expect(!gate.wasSent("A"))
        #expect(gate.stopReason?.contains("/dev/full") == true)
        #expect(throws: OperationsError.self) { try gate.admit("B") { () throws(AuditWriteError) in } }
        #expect(!gate.wasSent("B"))
    }
}
