import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport
import Testing

/// The commands over several projects (`--project a --project b`, or `projects:` in the config file): one output,
/// each operation under its full name, and no bare id that could be in either project.
extension CLITests {
    static let second = "second-project"

    /// Creates an operation in `project` through the emulator's test controls.
    func create(_ emulator: Emulator, in project: String, _ spec: String) async throws {
        let url = URL(string: emulator.baseURL + "/_emulator/projects/\(project)/operations")!
        let result = try await ControlClient.post(url: url, body: spec)
        #expect(result.contains("\"name\""), "create failed: \(result)")
    }

    @Test func listSummaryCancelAndReportCoverSeveralProjects() async throws {
        try await withEmulator(operations: 0, projects: [Self.project, Self.second]) { emulator, env in
            try await create(emulator, in: Self.project, #"{"id":"FIRSTAAAAAAAAAAAAAAAAAAA","cancel":"cancels","description":"in the first"}"#)
            try await create(emulator, in: Self.second, #"{"id":"SECONDBBBBBBBBBBBBBBBBBB","cancel":"cancels","description":"in the second"}"#)
            try await create(emulator, in: Self.second, #"{"id":"DONECCCCCCCCCCCCCCCCCCCC","state":"SUCCEEDED"}"#)
            let both = ["--project", Self.project, "--project", Self.second]
            let history = NSTemporaryDirectory() + "eeops-several-\(UUID().uuidString).sqlite"

            let listed = try await Binary.run(["list", "--format", "jsonl", "--history", history] + both, environment: env)
            #expect(listed.status == 0, "\(listed.stderr)")
            let names = listed.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .compactMap { $0["name"] as? String }
            #expect(Set(names) == ["projects/\(Self.project)/operations/FIRSTAAAAAAAAAAAAAAAAAAA",
                                   "projects/\(Self.second)/operations/DONECCCCCCCCCCCCCCCCCCCC",
                                   "projects/\(Self.second)/operations/SECONDBBBBBBBBBBBBBBBBBB"], "\(names)")
            #expect(names.first?.contains(Self.project) == true, "the projects in the order given: \(names)")
            #expect(Set(names.map { $0.split(separator: "/")[1] }) == [Substring(Self.project), Substring(Self.second)])
            // The table names each row's project; --limit counts across projects.
            let table = try await Binary.run(["list", "--no-history"] + both, environment: env)
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("PROJECT") == true, "\(table.stdout)")
            #expect(lines.contains { $0.hasPrefix(Self.second) && $0.contains("SECONDBBBBBBBBBBBBBBBBBB") }, "\(table.stdout)")
            let limited = try await Binary.run(["list", "--no-history", "--format", "jsonl", "--limit", "2"] + both, environment: env)
            #expect(limited.stdout.split(separator: "\n").count == 2, "\(limited.stdout)")
            // The config file's projects, when neither a flag nor the environment names one.
            let config = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
            try "projects: [\(Self.project), \(Self.second)]\n".write(toFile: config, atomically: true, encoding: .utf8)
            let fromFile = try await Binary.run(["list", "--no-history", "--format", "jsonl", "--config", config],
                                                environment: env.filter { $0.key != "EEOPS_PROJECT" })
            #expect(fromFile.status == 0 && fromFile.stdout.split(separator: "\n").count == 3, "\(fromFile.stderr)")

            // A bare id could be in either project: it needs its full name.
            let bare = try await Binary.run(["get", "SECONDBBBBBBBBBBBBBBBBBB"] + both, environment: env)
            #expect(bare.status == 64 && bare.stderr.contains("could be in any of 2 projects"), "\(bare.stderr)")
            let full = try await Binary.run(["get", "projects/\(Self.second)/operations/SECONDBBBBBBBBBBBBBBBBBB", "--format", "json"] + both, environment: env)
            #expect(full.status == 0 && full.stdout.contains("in the second"), "\(full.stderr)")

            let summary = try await Binary.run(["summary", "--format", "json", "--no-history"] + both, environment: env)
            let summaries = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [[String: Any]], "\(summary.stdout)")
            #expect(summaries.map { $0["project"] as? String } == [Self.project, Self.second])
            #expect(summaries.map { $0["operations"] as? Int } == [1, 2])

            // cancel --all cancels the active operations of every project, each audited under its full name.
            let log = NSTemporaryDirectory() + "eeops-several-audit-\(UUID().uuidString).jsonl"
            let cancelled = try await Binary.run(["cancel", "--all", "--yes", "--audit-log", log] + both, environment: env)
            #expect(cancelled.status == 0, "\(cancelled.stderr)")
            let audit = try String(contentsOfFile: log, encoding: .utf8)
            #expect(audit.contains("projects/\(Self.project)/operations/FIRSTAAAAAAAAAAAAAAAAAAA") && audit.contains("projects/\(Self.second)/operations/SECONDBBBBBBBBBBBBBBBBBB"), "\(audit)")
            #expect(!audit.contains("DONECCCC"))

            // The report takes several projects from the history the listing kept.
            let report = try await Binary.run(["report", "--by", "project", "--history", history, "--format", "json"] + both, environment: env)
            #expect(report.status == 0 && report.stdout.contains(Self.second) && report.stdout.contains(Self.project), "\(report.stdout) \(report.stderr)")
            let one = try await Binary.run(["report", "--by", "project", "--history", history, "--format", "csv", "--project", Self.second], environment: env)
            #expect(one.stdout.contains(Self.second) && !one.stdout.contains(Self.project + ","), "\(one.stdout)")

        }
    }

    /// `watch` over two projects: one poller each, one header for both, and each transition under its full name.
    @Test func watchFollowsSeveralProjects() async throws {
        try await withEmulator(operations: 0, projects: [Self.project, Self.second]) { emulator, env in
            try await create(emulator, in: Self.second, #"{"id":"WATCHEDBBBBBBBBBBBBBBBBB","cancel":"cancels"}"#)
            try await create(emulator, in: Self.project, #"{"id":"WATCHEDAAAAAAAAAAAAAAAAA","cancel":"cancels"}"#)
            let both = ["--project", Self.project, "--project", Self.second]
            async let watching = Binary.run(["watch", "--format", "jsonl", "--refresh", "0.3", "--no-history"] + both, environment: env, timeout: 5)
            try await Task.sleep(for: .milliseconds(1500))
            let cancel = try await Binary.run(["cancel", "projects/\(Self.second)/operations/WATCHEDBBBBBBBBBBBBBBBBB",
                                               "projects/\(Self.project)/operations/WATCHEDAAAAAAAAAAAAAAAAA",
                                               "--audit-log", NSTemporaryDirectory() + "eeops-watch-audit-\(UUID().uuidString).jsonl"] + both,
                                              environment: env)
            #expect(cancel.status == 0, "\(cancel.stderr)")
            let result = try await watching
            #expect(result.status == 130)
            #expect(result.stderr.contains("watching 2 operations (2 active) in 2 projects"), "\(result.stderr)")
            let events = result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let ended = Set(events.filter { $0["to"] as? String == "CANCELLED" }.compactMap { $0["name"] as? String })
            #expect(ended == ["projects/\(Self.second)/operations/WATCHEDBBBBBBBBBBBBBBBBB", "projects/\(Self.project)/operations/WATCHEDAAAAAAAAAAAAAAAAA"], "\(result.stdout)")
        }
    }
}
