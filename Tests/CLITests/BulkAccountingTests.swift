import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport
import Testing

/// Bulk cancels and deletes as users run them (the release binary in `make test`): every operation asked about is
/// accounted for in the audit log, whatever stops the command — a signal, a closed pipe, a full disk.
@Suite("Bulk cancels and deletes are accounted for", .serialized)
struct BulkAccountingTests {
    static let token = "bulk-test-token-7d1e"
    static let project = "bulk-project"

    func withEmulator(running: Int = 0, latency: Duration = .zero, cancelDelay: Duration = .zero,
                      _ body: (Emulator, [String: String]) async throws -> Void) async throws {
        var configuration = EmulatorConfiguration()
        configuration.projects = [Self.project]
        configuration.operationCount = running
        configuration.activeFraction = 1
        configuration.cancelUnimplementedFraction = 0
        configuration.completeDespiteCancelProbability = 0
        configuration.acceptedTokens = [Self.token]
        configuration.cancelDelay = cancelDelay
        configuration.latency = latency
        configuration.seed = 5
        // A clock that stands still: no PENDING operation becomes RUNNING while a test runs.
        configuration.clock = .manual(start: Date(timeIntervalSince1970: 1_763_856_000))
        configuration.testControls = true
        let emulator = try await Emulator.start(configuration)
        let environment = ["EEOPS_ENDPOINT": emulator.baseURL, "EEOPS_PROJECT": Self.project, "EEOPS_ACCESS_TOKEN": Self.token]
        do {
            try await body(emulator, environment)
        } catch {
            await emulator.stop()
            throw error
        }
        await emulator.stop()
    }

    static func temporaryLog() -> String { NSTemporaryDirectory() + "eeops-bulk-\(UUID().uuidString)/audit.jsonl" }

    /// The audit log's stages for each operation, in the order written.
    static func stages(in path: String) throws -> [String: [String]] {
        var stages: [String: [String]] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            guard let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = entry["name"] as? String, let stage = entry["stage"] as? String else { continue }
            stages[name, default: []].append(stage)
        }
        return stages
    }

    static func statistics(_ emulator: Emulator) async throws -> [String: Int] {
        let text = try await ControlClient.get(url: URL(string: emulator.baseURL + "/_emulator/stats")!)
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Int]) ?? [:]
    }

    /// The release build crashed here (a Swift 6.3.1 optimizer bug dropped each result's name: swift_retain on
    /// garbage, docs/known-compiler-bugs.md); the debug build never showed it.
    @Test func cancelAllAndWaitForThreeHundredRunningOperations() async throws {
        try await withEmulator(running: 300) { emulator, env in
            let log = Self.temporaryLog()
            let result = try await Binary.run(["cancel", "--all", "--state", "RUNNING", "--yes", "--wait", "--timeout", "60s", "--audit-log", log],
                                              environment: env, timeout: 120)
            #expect(result.status == 0, "\(result.stderr.suffix(2000))")
            let running = try await Binary.run(["list", "--state", "RUNNING", "--format", "jsonl"], environment: env)
            #expect(running.stdout.isEmpty)
            let cancelledCount = result.stdout.split(separator: "\n").filter { $0.hasSuffix("  CANCELLED") }.count
            let summary = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(summary.hasPrefix("summary: ") && summary.contains(" cancelled"), "\(summary)")
            let stages = try Self.stages(in: log)
            #expect(stages.values.allSatisfy { $0 == ["requested", "sent", "accepted", "final"] }, "\(stages.values.filter { $0 != ["requested", "sent", "accepted", "final"] }.prefix(3))")
            #expect(stages.count == cancelledCount && cancelledCount > 0)
            // Each line names the operation it is about: the name came through the task group intact.
            let ids = Set(result.stdout.split(separator: "\n").filter { $0.hasSuffix("  CANCELLED") }.map { String($0.prefix { $0 != " " }) })
            #expect(ids.count == cancelledCount)
            // The wait stayed within its budget (10 requests/s on average): it listed, rather than one get per operation.
            let statistics = try await Self.statistics(emulator)
            #expect((statistics["getRequests"] ?? 0) < 300, "\(statistics)")
        }
    }

    /// SIGINT while `cancel --wait` waits for cancels to take effect: the wait stops, each operation keeps the
    /// outcome it has (accepted, not yet CANCELLED), the summary is printed, and the exit status is 130.
    @Test func anInterruptedCancelWaitReportsWhereEachOperationIs() async throws {
        try await withEmulator(running: 30, cancelDelay: .seconds(3600)) { emulator, env in
            let log = Self.temporaryLog()
            let result = try await Binary.run(["cancel", "--all", "--yes", "--wait", "--audit-log", log], environment: env, timeout: 3)
            #expect(result.status == 130, "\(result.stderr.suffix(500))")
            #expect(result.stdout.contains("interrupted while waiting"), "\(result.stdout.suffix(500))")
            #expect(result.stdout.contains("summary: 30 requested"), "\(result.stdout.suffix(300))")
            let stages = try Self.stages(in: log)
            #expect(stages.count == 30)
            #expect(stages.values.allSatisfy { $0 == ["requested", "sent", "accepted"] }, "\(Array(stages.values.prefix(3)))")
        }
    }

    /// A log that cannot be written (a full disk) stops the cancel before anything is sent.
    @Test func aFullDiskSendsNothing() async throws {
        try await withEmulator(running: 3) { emulator, env in
            let single = try await Binary.run(["cancel", "--all", "--yes", "--audit-log", "/dev/full"], environment: env)
            #expect(single.status == 64, "\(single.stdout) \(single.stderr)")
            #expect(single.stderr.contains("cannot write the audit log '/dev/full'"), "\(single.stderr)")
            #expect(single.stderr.contains("nothing was sent"))
            let delete = try await Binary.run(["delete", "SOMEID", "--yes", "--audit-log", "/dev/full"], environment: env)
            #expect(delete.status == 64, "\(delete.stderr)")
            let statistics = try await Self.statistics(emulator)
            #expect(statistics["cancelRequests"] == 0 && statistics["deleteRequests"] == 0, "\(statistics)")
        }
    }

    /// SIGINT two and a half seconds into a cancel of 200 operations answered after 1.5 s: nothing more is sent,
    /// the answers in flight are awaited, and every operation ends accepted, rejected, unanswered or not sent.
    @Test func anInterruptedBulkCancelAccountsForEveryOperation() async throws {
        try await withEmulator(running: 200, latency: .milliseconds(1500)) { emulator, env in
            let log = Self.temporaryLog()
            let result = try await Binary.run(["cancel", "--all", "--yes", "--audit-log", log], environment: env, timeout: 2.5)
            #expect(result.status == 130, "\(result.stderr.suffix(1000))")
            #expect(result.stdout.contains("summary: "), "the summary is printed: \(result.stdout.suffix(500))")
            #expect(result.stderr.contains("interrupted by SIGINT"), "\(result.stderr.suffix(500))")
            let stages = try Self.stages(in: log)
            #expect(stages.count == 200)
            let ends = ["accepted", "rejected", "unanswered", "not_sent"]
            for (name, written) in stages {
                #expect(written.first == "requested", "\(name): \(written)")
                #expect(written.last.map(ends.contains) == true, "\(name) is accounted for: \(written)")
                if written.last == "not_sent" { #expect(!written.contains("sent"), "\(name): \(written)") }
            }
            let sent = stages.values.filter { $0.contains("sent") }.count
            #expect(sent < 200, "the interrupt stopped the sending")
            #expect(stages.values.contains { $0.last == "not_sent" })
            let statistics = try await Self.statistics(emulator)
            #expect(statistics["cancelRequests"] == sent, "every request the server got is recorded as sent: \(statistics), \(sent)")
        }
    }

    /// Output into a pipe that closes early (`| head -1`) does not abort the accounting: every cancel is sent and
    /// answered, and the log says so.
    @Test func aClosedPipeDoesNotStopTheAccounting() async throws {
        try await withEmulator(running: 200, latency: .milliseconds(200)) { emulator, env in
            let log = Self.temporaryLog()
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "'\(Binary.path)' cancel --all --yes --audit-log '\(log)' | head -1 >/dev/null"]
            shell.environment = env.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { $1 }
            shell.standardOutput = Pipe()
            shell.standardError = Pipe()
            try shell.run()
            shell.waitUntilExit()
            // head has gone once the first line is read; eeops goes on writing into the closed pipe.
            let stages = try Self.stages(in: log)
            #expect(stages.count == 200)
            #expect(stages.values.allSatisfy { $0 == ["requested", "sent", "accepted"] }, "\(stages.values.filter { $0 != ["requested", "sent", "accepted"] }.count) not accepted")
            #expect(try await Self.statistics(emulator)["cancelRequests"] == 200)
        }
    }

    /// `delete` stops the same way: an interrupt leaves no operation unaccounted for.
    @Test func anInterruptedDeleteAccountsForEveryOperation() async throws {
        try await withEmulator(running: 120, latency: .milliseconds(1500)) { emulator, env in
            let listed = try await Binary.run(["list", "--format", "jsonl"], environment: env)
            let ids = listed.stdout.split(separator: "\n").compactMap { line -> String? in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["name"] as? String
            }
            try #require(ids.count == 120)
            let log = Self.temporaryLog()
            let result = try await Binary.run(["delete", "--yes", "--audit-log", log] + ids, environment: env, timeout: 2.5)
            #expect(result.status == 130, "\(result.stderr.suffix(1000))")
            let stages = try Self.stages(in: log)
            #expect(stages.count == 120)
            for (name, written) in stages {
                #expect(["accepted", "rejected", "unanswered", "not_sent"].contains(written.last ?? ""), "\(name): \(written)")
            }
        }
    }
}
