import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport
import Testing

/// The `eeops` binary against an in-process emulator, checking output and exit statuses.
@Suite("The eeops command line", .serialized)
struct CLITests {
    static let token = "cli-test-token-5f3a9c"
    static let project = "cli-project"

    func withEmulator(operations: Int = 60, projects: [String] = [Self.project], _ body: (Emulator, [String: String]) async throws -> Void) async throws {
        var configuration = EmulatorConfiguration()
        configuration.projects = projects
        configuration.operationCount = operations
        configuration.acceptedTokens = [Self.token]
        configuration.clock = .manual(start: Date(timeIntervalSince1970: 1_763_856_000))
        configuration.cancelDelay = .seconds(0)
        configuration.seed = 9
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

    func create(_ emulator: Emulator, _ spec: String) async throws {
        let url = URL(string: emulator.baseURL + "/_emulator/projects/\(Self.project)/operations")!
        let result = try await ControlClient.post(url: url, body: spec)
        #expect(result.contains("\"name\""), "create failed: \(result)")
    }

    @Test func listPrintsEveryOperationInEachFormat() async throws {
        try await withEmulator(operations: 60) { _, env in
            let jsonl = try await Binary.run(["list", "--format", "jsonl", "--page-size", "7"], environment: env)
            #expect(jsonl.status == 0)
            let lines = jsonl.stdout.split(separator: "\n")
            #expect(lines.count == 60)
            let decoded = try lines.map { try LongRunningOperation(json: Data($0.utf8)) }
            #expect(Set(decoded.map(\.name)).count == 60)

            let json = try await Binary.run(["list", "--format", "json"], environment: env)
            #expect(try operationArray(json: Data(json.stdout.utf8)).map(\.name) == decoded.map(\.name))

            let csv = try await Binary.run(["list", "--format", "csv", "--limit", "5"], environment: env)
            #expect(csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 6)

            let table = try await Binary.run(["list", "--state", "succeeded", "--limit", "3"], environment: env)
            let rows = table.stdout.split(separator: "\n")
            #expect(rows.first?.hasPrefix("ID") == true)
            #expect(rows.count == 4)
            #expect(rows.dropFirst().allSatisfy { $0.contains("SUCCEEDED") })
            #expect(!table.stdout.contains(Self.token) && !table.stderr.contains(Self.token))
        }
    }

    @Test func getShowsOperationsAndReportsMissingOnes() async throws {
        try await withEmulator { emulator, env in
            try await create(emulator, #"{"id":"GETME","description":"evil \u001b]0;pwned\u0007 title"}"#)
            let found = try await Binary.run(["get", "GETME", "--format", "jsonl"], environment: env)
            #expect(found.status == 0)
            #expect(found.stdout.contains("projects/cli-project/operations/GETME"))
            let table = try await Binary.run(["get", "GETME"], environment: env)
            #expect(!table.stdout.contains("\u{1B}"), "escape sequences must be neutralised in tables")
            #expect(table.stdout.contains("^[]0;pwned^G"))
            let missing = try await Binary.run(["get", "GETME", "NOSUCHOP"], environment: env)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("NOT_FOUND"))
            #expect(missing.stdout.contains("GETME"))
        }
    }

    @Test func cancelReportsEachOutcomeAndWaits() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"WILLCANCEL","cancel":"cancels"}"#)
            try await create(emulator, #"{"id":"NOCANCEL","cancel":"unimplemented"}"#)
            try await create(emulator, #"{"id":"ALREADYDONE","state":"SUCCEEDED"}"#)
            try await create(emulator, #"{"id":"FINISHES","cancel":"completes"}"#)
            let result = try await Binary.run(["cancel", "WILLCANCEL", "NOCANCEL", "ALREADYDONE", "FINISHES", "MISSING", "--wait", "--timeout", "20s"], environment: env)
            #expect(result.status == 1, "not every cancel was accepted: \(result.stdout) \(result.stderr)")
            let out = result.stdout
            #expect(out.contains("WILLCANCEL  cancel requested"))
            #expect(out.contains("WILLCANCEL  CANCELLED"))
            #expect(out.contains("NOCANCEL  cancel not supported (UNIMPLEMENTED)"))
            #expect(out.contains("ALREADYDONE  already SUCCEEDED, not cancelled"))
            #expect(out.contains("FINISHES  finished despite cancel: SUCCEEDED"))
            #expect(out.contains("MISSING  not found (NOT_FOUND)"))
            #expect(out.contains("summary: 1 cancelled, 1 finished despite cancel, 1 already done, 1 unsupported, 1 not found"))
        }
    }

    @Test func everyCancelIsAccountedForInTheAuditLog() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"AUDITA","cancel":"cancels"}"#)
            try await create(emulator, #"{"id":"AUDITB","cancel":"unimplemented"}"#)
            let log = NSTemporaryDirectory() + "eeops-audit-\(UUID().uuidString)/audit.jsonl"
            let result = try await Binary.run(["cancel", "AUDITA", "AUDITB", "--wait", "--audit-log", log], environment: env)
            #expect(result.status == 1)
            let entries = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            func stages(_ id: String) -> [String] {
                entries.filter { ($0["name"] as? String)?.hasSuffix("/" + id) == true }.compactMap { $0["stage"] as? String }
            }
            #expect(stages("AUDITA") == ["requested", "sent", "accepted", "final"])
            #expect(stages("AUDITB") == ["requested", "sent", "rejected"])
            #expect(entries.contains { $0["stage"] as? String == "rejected" && $0["code"] as? String == "UNIMPLEMENTED" })
            #expect(entries.contains { $0["stage"] as? String == "final" && ($0["outcome"] as? String) == "CANCELLED" })
            let attributes = try FileManager.default.attributesOfItem(atPath: log)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // A log that cannot be written stops the cancel before anything is sent.
            let refused = try await Binary.run(["cancel", "AUDITA", "--audit-log", "/proc/eeops-nowhere/audit.jsonl"], environment: env)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("audit log"))
        }
    }

    @Test func acceptedCancelExitsZero() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"ONE","cancel":"cancels"}"#)
            let result = try await Binary.run(["cancel", "projects/cli-project/operations/ONE", "--format", "jsonl"], environment: env)
            #expect(result.status == 0)
            let line = try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n")[0].utf8)) as? [String: String]
            #expect(line?["result"] == "requested")
            #expect(line?["name"] == "projects/cli-project/operations/ONE")
        }
    }

    @Test func bulkCancelNeedsYesWithoutATerminal() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            for index in 0..<5 { try await create(emulator, "{\"id\":\"BULK\(index)\",\"cancel\":\"cancels\",\"type\":\"EXPORT_VIDEO\"}") }
            try await create(emulator, #"{"id":"OTHERTYPE","cancel":"cancels","type":"INGEST_TABLE"}"#)
            let refused = try await Binary.run(["cancel", "--all"], environment: env)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("--yes"))
            let dry = try await Binary.run(["cancel", "--all", "--type", "EXPORT_VIDEO", "--dry-run"], environment: env)
            #expect(dry.status == 0)
            #expect(dry.stdout.split(separator: "\n").count == 5)
            let done = try await Binary.run(["cancel", "--all", "--yes", "--type", "export_video"], environment: env)
            #expect(done.status == 0)
            #expect(done.stdout.contains("summary: 5 requested"))
            #expect(!done.stdout.contains("OTHERTYPE"))
        }
    }

    @Test func waitExitStatusSaysHowOperationsEnded() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"GOOD","state":"SUCCEEDED"}"#)
            try await create(emulator, #"{"id":"BAD","state":"FAILED","failureMessage":"Computation timed out."}"#)
            try await create(emulator, #"{"id":"SLOW","runSeconds":100000}"#)
            let good = try await Binary.run(["wait", "GOOD"], environment: env)
            #expect(good.status == 0)
            #expect(good.stdout.contains("GOOD  SUCCEEDED"))
            let bad = try await Binary.run(["wait", "GOOD", "BAD"], environment: env)
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("BAD  FAILED  Computation timed out."))
            let slow = try await Binary.run(["wait", "SLOW", "--timeout", "1s"], environment: env)
            #expect(slow.status == 2)
            #expect(slow.stdout.contains("still RUNNING"))
        }
    }

    /// `eeops summary --format json` against operations whose states, EECU and errors the test chose: the counts,
    /// the EECU totals (checked against the sum over `eeops list --format json`), the failure groups and the
    /// queue; and `list --state failed --group-by error` prints the same groups.
    @Test func summaryAndFailureGroupsDescribeTheProject() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"S1","state":"SUCCEEDED","runSeconds":100,"eecuPerSecond":3}"#)
            try await create(emulator, #"{"id":"S2","state":"SUCCEEDED","runSeconds":200,"eecuPerSecond":1,"type":"INGEST_IMAGE"}"#)
            try await create(emulator, #"{"id":"F1","state":"FAILED","failureMessage":"Asset 'projects/x/assets/a1' not found."}"#)
            try await create(emulator, #"{"id":"F2","state":"FAILED","failureMessage":"Asset 'projects/x/assets/b22' not found."}"#)
            try await create(emulator, #"{"id":"F3","state":"FAILED","failureMessage":"Computation timed out."}"#)
            try await create(emulator, #"{"id":"R1","runSeconds":100000}"#)
            try await create(emulator, #"{"id":"P1","state":"PENDING"}"#)
            let listed = try operationArray(json: Data(try await Binary.run(["list", "--format", "json"], environment: env).stdout.utf8))
            let listedEECU = listed.compactMap { $0.metadata?.batchEecuUsageSeconds }.reduce(0, +)
            #expect(listed.count == 7 && listedEECU > 0)

            let result = try await Binary.run(["summary", "--format", "json"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(object["states"] as? [String: Int] == ["PENDING": 1, "RUNNING": 1, "CANCELLING": 0, "SUCCEEDED": 2, "CANCELLED": 0, "FAILED": 3])
            let eecu = try #require(object["eecuSeconds"] as? [String: Any])
            #expect(abs((eecu["total"] as? Double ?? -1) - listedEECU) < 1e-6)
            let byType = try #require(eecu["byType"] as? [String: Double])
            let ingest = listed.filter { $0.metadata?.type == "INGEST_IMAGE" }.compactMap { $0.metadata?.batchEecuUsageSeconds }.reduce(0, +)
            #expect(byType["INGEST_IMAGE"] == ingest)
            let failures = try #require(object["failures"] as? [[String: Any]])
            #expect(failures.map { $0["count"] as? Int } == [2, 1])
            #expect(failures.first?["message"] as? String == "Asset '…' not found.")
            #expect(Set(failures.first?["names"] as? [String] ?? []) == ["projects/\(Self.project)/operations/F1", "projects/\(Self.project)/operations/F2"])
            let queue = try #require(object["queue"] as? [String: Any])
            #expect(queue["pending"] as? Int == 1 && queue["running"] as? Int == 1)
            #expect(queue.keys.contains("etaSeconds"))

            let text = try await Binary.run(["summary"], environment: env)
            #expect(text.status == 0)
            #expect(text.stdout.contains("PENDING 1 · RUNNING 1 · CANCELLING 0 · SUCCEEDED 2 · CANCELLED 0 · FAILED 3"), "\(text.stdout)")
            #expect(text.stdout.contains("3 in 2 group(s)"))

            let groups = try await Binary.run(["list", "--state", "failed", "--group-by", "error"], environment: env)
            #expect(groups.status == 0, "\(groups.stderr)")
            let rows = groups.stdout.split(separator: "\n")
            #expect(rows.count == 3 && rows.first?.hasPrefix("COUNT") == true, "\(groups.stdout)")
            #expect(rows.dropFirst().first?.contains("2  UNKNOWN  Asset '…' not found. (F") == true, "\(groups.stdout)")
            let groupsJSON = try await Binary.run(["list", "--group-by", "error", "--format", "jsonl", "--limit", "1"], environment: env)
            #expect(groupsJSON.stdout.split(separator: "\n").count == 1)
            #expect(groupsJSON.stdout.contains(#""count":2"#))
        }
    }

    /// `wait --all` waits for the operations that match and have not ended, and no others; `--state` without
    /// `--all`, or neither names nor `--all`, is a usage error.
    @Test func waitAllSelectsTheMatchingOperationsNotYetEnded() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"ING1","type":"INGEST_TABLE","runSeconds":30}"#)
            try await create(emulator, #"{"id":"ING2","type":"INGEST_TABLE","state":"PENDING","pendingSeconds":10,"runSeconds":30}"#)
            try await create(emulator, #"{"id":"INGDONE","type":"INGEST_TABLE","state":"SUCCEEDED"}"#)
            try await create(emulator, #"{"id":"EXP1","runSeconds":100000}"#)
            let waiting = try await Binary.run(["wait", "--all", "--type", "INGEST_TABLE", "--timeout", "1s"], environment: env)
            #expect(waiting.status == 2, "timed out: \(waiting.stdout) \(waiting.stderr)")
            #expect(waiting.stderr.contains("2 operation(s) to wait for"))
            #expect(waiting.stdout.contains("ING1  still RUNNING at timeout"))
            #expect(waiting.stdout.contains("ING2  still PENDING at timeout"))
            #expect(!waiting.stdout.contains("INGDONE") && !waiting.stdout.contains("EXP1"))

            _ = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/clock:advance")!, body: #"{"seconds":60}"#)
            let done = try await Binary.run(["wait", "--all", "--state", "running", "--type", "INGEST_TABLE"], environment: env)
            #expect(done.status == 0, "\(done.stderr)")
            #expect(done.stderr.contains("0 operation(s) to wait for"))

            let stray = try await Binary.run(["wait", "ING1", "--state", "running"], environment: env)
            #expect(stray.status == 64 && stray.stderr.contains("select operations for --all"))
            let none = try await Binary.run(["wait"], environment: env)
            #expect(none.status == 64 && none.stderr.contains("give operation names or ids to wait for, or --all"))
        }
    }

    /// The history keeps what `list` saw after the server stops listing it: `report` still counts a deleted
    /// operation's EECU. `--no-history` writes nothing; a damaged history gives one warning and the listing
    /// goes on.
    @Test func theHistoryOutlivesTheServersListing() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"KEPT","state":"SUCCEEDED","runSeconds":100,"eecuPerSecond":3}"#)
            try await create(emulator, #"{"id":"GONE","state":"SUCCEEDED","runSeconds":200,"eecuPerSecond":2,"type":"INGEST_IMAGE"}"#)
            try await create(emulator, #"{"id":"LIVE","runSeconds":100000}"#)
            let data = NSTemporaryDirectory() + "eeops-cli-data-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: data) }
            var withHistory = env
            withHistory["XDG_DATA_HOME"] = data
            let listed = try await Binary.run(["list", "--format", "json"], environment: withHistory)
            #expect(listed.status == 0 && listed.stderr.isEmpty, "\(listed.stderr)")
            #expect(FileManager.default.fileExists(atPath: data + "/eeops/history.sqlite"))
            let operations = try operationArray(json: Data(listed.stdout.utf8))
            let total = operations.compactMap { $0.metadata?.batchEecuUsageSeconds }.reduce(0, +)
            let gone = operations.first { $0.name.hasSuffix("/GONE") }?.metadata?.batchEecuUsageSeconds ?? 0
            #expect(total > 0 && gone > 0)

            let deleted = try await Binary.run(["delete", "GONE", "--yes"], environment: withHistory)
            #expect(deleted.status == 0, "\(deleted.stdout) \(deleted.stderr)")
            let after = try await Binary.run(["list", "--format", "jsonl"], environment: withHistory)
            #expect(!after.stdout.contains("GONE"), "the server no longer lists it")

            let report = try await Binary.run(["report", "--by", "type", "--format", "json"], environment: withHistory)
            #expect(report.status == 0, "\(report.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
            #expect(abs(((object["eecuSeconds"] as? [String: Double])?["total"] ?? -1) - total) < 1e-6)
            #expect(object["operations"] as? Int == 3)
            let rows = object["rows"] as? [[String: Any]] ?? []
            #expect(rows.first { $0["key"] as? String == "INGEST_IMAGE" }?["eecuSeconds"] as? Double == gone, "\(rows)")
            let table = try await Binary.run(["report"], environment: withHistory)
            #expect(table.status == 0 && table.stdout.hasPrefix("DAY") && table.stdout.contains("TOTAL"), "\(table.stdout)")

            var without = env
            without["XDG_DATA_HOME"] = data + "-none"
            let quiet = try await Binary.run(["list", "--no-history", "--format", "jsonl"], environment: without)
            #expect(quiet.status == 0)
            #expect(!FileManager.default.fileExists(atPath: data + "-none"), "--no-history writes nothing")
            let missing = try await Binary.run(["report"], environment: without)
            #expect(missing.status == 64 && missing.stderr.contains("no history at"))

            let damaged = data + "/damaged.sqlite"
            try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: damaged))
            let warned = try await Binary.run(["list", "--history", damaged, "--format", "jsonl"], environment: env)
            #expect(warned.status == 0)
            #expect(warned.stdout.split(separator: "\n").count == 2, "the listing goes on: \(warned.stdout)")
            #expect(warned.stderr.components(separatedBy: "warning:").count == 2, "one warning: \(warned.stderr)")
            #expect(warned.stderr.contains("is not a database eeops can read"))
        }
    }

    /// `--notify-command` runs once per ending with the operation in its environment; `--notify` writes its
    /// sequences to the terminal only, never into piped output (here there is no terminal: nothing is written).
    @Test func notifyCommandRunsPerEndingAndNothingReachesPipedOutput() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"GOOD","state":"SUCCEEDED","runSeconds":10,"eecuPerSecond":1,"description":"good one"}"#)
            try await create(emulator, #"{"id":"BAD","state":"FAILED","failureMessage":"Computation timed out."}"#)
            let file = NSTemporaryDirectory() + "eeops-notify-\(UUID().uuidString).txt"
            defer { try? FileManager.default.removeItem(atPath: file) }
            let command = "printf '%s|%s|%s|%s\\n' \"$EEOPS_NAME\" \"$EEOPS_STATE\" \"$EEOPS_DESCRIPTION\" \"$EEOPS_EECU_SECONDS\" >> \(file)"
            let result = try await Binary.run(["wait", "GOOD", "BAD", "--notify", "--notify-command", command], environment: env)
            #expect(result.status == 1, "BAD failed: \(result.stderr)")
            #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"), "no sequence in piped output: \(result.stdout)")
            let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").sorted()
            #expect(lines.count == 2, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("projects/\(Self.project)/operations/GOOD|SUCCEEDED|good one|") && !$0.hasSuffix("|") })
            #expect(lines.contains { $0.hasPrefix("projects/\(Self.project)/operations/BAD|FAILED|") })
            let empty = try await Binary.run(["wait", "GOOD", "--notify-command", " "], environment: env)
            #expect(empty.status == 64 && empty.stderr.contains("invalid --notify-command"))
        }
    }

    @Test func badUsageAndSettingsGiveOneClearLine() async throws {
        let badConfig = NSTemporaryDirectory() + "eeops-bad-config-\(UUID().uuidString).yaml"
        try "project: p\nrefresh: soon\n".write(toFile: badConfig, atomically: true, encoding: .utf8)
        let secretConfig = NSTemporaryDirectory() + "eeops-secret-config-\(UUID().uuidString).yaml"
        try "token: \(Self.token)\n".write(toFile: secretConfig, atomically: true, encoding: .utf8)
        try await withEmulator(operations: 1) { _, env in
            let cases: [([String], [String: String], Int32, String)] = [
                (["list", "--format", "xml"], env, 64, "--format"),
                (["list", "--state", "DONE"], env, 64, "--state"),
                (["list", "--match", "(["], env, 64, "regular expression"),
                (["list", "--project", "Not A Project"], env, 64, "project"),
                (["cancel", "--all", "--older-than", "soon"], env, 64, "duration"),
                (["get", "bad name"], env, 64, "invalid operation name"),
                (["list"], env.merging(["EEOPS_ENDPOINT": "http://example.com"]) { $1 }, 64, "only loopback"),
                (["list"], env.filter { $0.key != "EEOPS_ACCESS_TOKEN" }.merging(["PATH": "/nonexistent"]) { $1 }, 64, "no credentials"),
                (["list"], env.filter { $0.key != "EEOPS_PROJECT" }, 64, "no project"),
                (["list"], env.merging(["EEOPS_ACCESS_TOKEN": "wrong-token-value"]) { $1 }, 3, "UNAUTHENTICATED"),
                (["list", "--project", "not-served"], env, 3, "PERMISSION_DENIED"),
                ([], env, 64, "needs a terminal"),
                (["--log-file", "/proc/eeops-nowhere/log"], env, 64, "--log-file"),
                (["list", "--api-version", "v2"], env, 64, "--api-version"),
                (["list", "--credentials", "magic"], env, 64, "--credentials"),
                (["watch", "--refresh", "0"], env, 64, "--refresh"),
                (["wait", "X", "--timeout", "forever"], env, 64, "duration"),
                (["list", "--limit", "0"], env, 64, "--limit"),
                (["watch", "--eecu-limit", "0"], env, 64, "--eecu-limit"),
                (["watch", "--eecu-limit", "nan"], env, 64, "--eecu-limit"),
                (["watch", "--cancel-over-limit"], env, 64, "--cancel-over-limit needs --eecu-limit"),
                (["tui", "--readonly", "--eecu-limit", "10", "--cancel-over-limit"], env, 64, "--readonly"),
                (["list"], env.merging(["EEOPS_ENDPOINT": "http://127.0.0.1:1"]) { $1 }, 3, "could not reach"),
                (["list", "--config", "/nonexistent/eeops.yaml"], env, 64, "config file /nonexistent/eeops.yaml: no such file"),
                (["list"], env.merging(["EEOPS_CONFIG": badConfig]) { $1 }, 64, "config file \(badConfig):2: refresh: expected a number of seconds"),
                (["demo", "--config", badConfig], env, 64, "\(badConfig):2: refresh"),
                (["list"], env.merging(["EEOPS_CONFIG": secretConfig]) { $1 }, 64, "\(secretConfig):1: token: eeops never reads tokens or keys"),
            ]
            for (arguments, environment, status, text) in cases {
                let result = try await Binary.run(arguments, environment: environment)
                #expect(result.status == status, "\(arguments): status \(result.status), \(result.stderr)")
                #expect(result.stderr.contains(text), "\(arguments): \(result.stderr)")
                #expect(!result.stderr.contains("wrong-token-value") && !result.stderr.contains(Self.token))
                #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrac"))
            }
        }
    }

    /// The config file sets what neither a flag nor the environment does, and `config show` says where each
    /// setting came from: a flag, a variable, the file with its line, or the default.
    @Test func aConfigFileSetsWhatFlagsAndTheEnvironmentLeave() async throws {
        try await withEmulator(operations: 3) { emulator, env in
            let config = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
            try """
                # what I use
                project: \(Self.project)
                endpoint: \(emulator.baseURL)
                refresh: 7
                budget: 3
                theme: high-contrast
                views:
                  running: {activeOnly: true}
                view: running
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let withoutProject = env.filter { $0.key != "EEOPS_PROJECT" && $0.key != "EEOPS_ENDPOINT" }
            let listed = try await Binary.run(["list", "--config", config, "--format", "jsonl"], environment: withoutProject)
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.split(separator: "\n").count == 3)
            let shown = try await Binary.run(["config", "show", "--format", "json", "--refresh", "1"],
                                             environment: env.merging(["EEOPS_CONFIG": config, "NO_COLOR": "1"]) { $1 })
            #expect(shown.status == 0, "\(shown.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: [String: String]])
            #expect(object["config"] == ["value": config, "source": "EEOPS_CONFIG"])
            #expect(object["project"] == ["value": Self.project, "source": "EEOPS_PROJECT"], "the environment before the file")
            #expect(object["endpoint"] == ["value": emulator.baseURL, "source": "EEOPS_ENDPOINT"])
            #expect(object["refresh"] == ["value": "1", "source": "--refresh"], "a flag before the file")
            #expect(object["budget"] == ["value": "3", "source": "\(config):5"])
            #expect(object["apiVersion"] == ["value": "v1", "source": "default"])
            #expect(object["color"] == ["value": "false", "source": "NO_COLOR"], "NO_COLOR wins over the file's theme")
            #expect(object["theme"]?["value"] == "mono")
            #expect(object["views"] == ["value": "all,running", "source": "\(config):8"])
            #expect(object["view"] == ["value": "running", "source": "\(config):9"])
            let flagged = try await Binary.run(["config", "show", "--format", "json", "--view", "all"], environment: env.merging(["EEOPS_CONFIG": config]) { $1 })
            let flaggedObject = try JSONSerialization.jsonObject(with: Data(flagged.stdout.utf8)) as? [String: [String: String]]
            #expect(flaggedObject?["view"] == ["value": "all", "source": "--view"], "\(flagged.stdout)")
            let unknown = try await Binary.run(["tui", "--view", "nope"], environment: env.merging(["EEOPS_CONFIG": config]) { $1 })
            #expect(unknown.status == 64 && unknown.stderr.contains("--view: no view of that name; the views are: all, running"), "\(unknown.stderr)")
            let table = try await Binary.run(["config", "show"], environment: withoutProject.merging(["EEOPS_CONFIG": config]) { $1 })
            #expect(table.stdout.contains("project") && table.stdout.contains("\(config):2"), "\(table.stdout)")
            #expect(table.stdout.contains("high-contrast") && table.stdout.contains("\(config):6"), "\(table.stdout)")
            // A locale that is not UTF-8 chooses ASCII whatever the file says; --no-ascii still wins.
            let asciiConfig = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
            try "ascii: false\n".write(toFile: asciiConfig, atomically: true, encoding: .utf8)
            let latin = env.merging(["LANG": "C", "LC_ALL": "C", "EEOPS_CONFIG": asciiConfig]) { $1 }
            let ascii = try await Binary.run(["config", "show", "--format", "json"], environment: latin)
            let asciiObject = try #require(try JSONSerialization.jsonObject(with: Data(ascii.stdout.utf8)) as? [String: [String: String]])
            #expect(asciiObject["ascii"] == ["value": "true", "source": "the locale is not UTF-8"], "\(ascii.stdout)")
            let forced = try await Binary.run(["config", "show", "--format", "json", "--no-ascii"], environment: latin)
            #expect(forced.stdout.contains("\"--no-ascii\""), "\(forced.stdout)")
            // A file listing several projects yields to a flag or the environment that names one; alone, it lists
            // each (the emulator has no other-project: its error ends the listing, after the first project's rows).
            let several = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
            try "projects: [\(Self.project), other-project]\n".write(toFile: several, atomically: true, encoding: .utf8)
            let named = try await Binary.run(["list", "--config", several, "--format", "jsonl"], environment: env)
            #expect(named.status == 0 && named.stdout.split(separator: "\n").count == 3, "EEOPS_PROJECT names one: \(named.stderr)")
            let shownSeveral = try await Binary.run(["config", "show", "--config", several], environment: withoutProject)
            #expect(shownSeveral.stdout.contains("\(Self.project),other-project"), "\(shownSeveral.stdout)")
            let unnamed = try await Binary.run(["list", "--config", several, "--format", "jsonl"], environment: withoutProject.merging(["EEOPS_ENDPOINT": emulator.baseURL]) { $1 })
            #expect(unnamed.stdout.split(separator: "\n").count == 3 && unnamed.status != 0 && unnamed.stderr.contains("other-project"), "\(unnamed.stdout) \(unnamed.stderr)")
        }
    }

    @Test func watchStreamsTransitions() async throws {
        try await withEmulator(operations: 3) { emulator, env in
            try await create(emulator, #"{"id":"WATCHED","cancel":"cancels","description":"csi\u009b31m del\u007f"}"#)
            let watch = Process()
            watch.executableURL = URL(fileURLWithPath: Binary.path)
            watch.arguments = ["watch", "--format", "jsonl", "--refresh", "0.3"]
            watch.environment = env.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { $1 }
            let out = Pipe()
            watch.standardOutput = out
            watch.standardError = Pipe()
            try watch.run()
            try await Task.sleep(for: .seconds(3))
            let cancel = try await Binary.run(["cancel", "WATCHED"], environment: env)
            #expect(cancel.status == 0)
            try await Task.sleep(for: .seconds(1.5))
            watch.interrupt()
            watch.waitUntilExit()
            let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let events = output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(events.contains { $0["id"] as? String == "WATCHED" && $0["from"] as? String == "RUNNING" && $0["to"] as? String == "CANCELLED" })
            // The server's C1 and DEL controls reach the terminal escaped, and read back as they were.
            #expect(events.contains { $0["id"] as? String == "WATCHED" && $0["description"] as? String == "csi\u{9B}31m del\u{7F}" })
            #expect(!output.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x7F } && output.contains(#"\u009b31m del\u007f"#))
        }
    }

    /// `watch --eecu-limit 100 --cancel-over-limit`: an operation that passes 100 EECU-seconds while watched gets
    /// one line saying so and one cancel, audited with the tool `watch`; one under the limit gets neither. Ctrl-C
    /// ends the watch with status 130.
    @Test func watchsBudgetGuardFlagsAndCancelsWhatPassesTheLimit() async throws {
        try await withEmulator(operations: 0) { emulator, env in
            try await create(emulator, #"{"id":"OVERLIMIT","cancel":"cancels","eecuPerSecond":10,"description":"big mosaic"}"#)
            try await create(emulator, #"{"id":"UNDERLIMIT","cancel":"cancels","eecuPerSecond":0.1}"#)
            let log = NSTemporaryDirectory() + "eeops-guard-\(UUID().uuidString)/audit.jsonl"
            async let watching = Binary.run(["watch", "--format", "jsonl", "--refresh", "0.3", "--eecu-limit", "100", "--cancel-over-limit",
                                             "--audit-log", log, "--no-history"], environment: env, timeout: 5)
            try await Task.sleep(for: .milliseconds(1500))
            // 30 simulated seconds: 300 EECU-seconds for one, 3 for the other.
            _ = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/clock:advance")!, body: #"{"seconds":30}"#)
            let result = try await watching
            #expect(result.status == 130, "\(result.stderr)")
            let events = result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let flagged = events.filter { $0["event"] as? String == "over-eecu-limit" }
            #expect(flagged.count == 1 && flagged.first?["id"] as? String == "OVERLIMIT", "\(result.stdout)")
            #expect((flagged.first?["eecuSeconds"] as? Double ?? 0) > 100 && flagged.first?["limitSeconds"] as? Double == 100)
            let cancels = events.filter { $0["event"] as? String == "eecu-guard-cancel" }
            #expect(cancels.count == 1 && cancels.first?["id"] as? String == "OVERLIMIT", "\(result.stdout)")
            #expect(events.contains { $0["id"] as? String == "OVERLIMIT" && $0["to"] as? String == "CANCELLED" }, "\(result.stdout)")
            #expect(!events.contains { $0["id"] as? String == "UNDERLIMIT" })
            let entries = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(entries.compactMap { $0["stage"] as? String } == ["requested", "sent", "accepted"], "\(entries)")
            #expect(entries.allSatisfy { ($0["name"] as? String)?.hasSuffix("/OVERLIMIT") == true && $0["tool"] as? String == "watch" })
        }
    }

    @Test func emulatorCommandPrintsWhereAndHowToConnect() async throws {
        let emulator = Process()
        emulator.executableURL = URL(fileURLWithPath: Binary.path)
        emulator.arguments = ["emulator", "--port", "0", "--operations", "12", "--token", "printed-token"]
        let out = Pipe()
        emulator.standardOutput = out
        try emulator.run()
        var text = ""
        let handle = out.fileHandleForReading
        while !text.contains("Ctrl-C") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let endpoint = try #require(text.split(separator: "\n").first { $0.contains("export EEOPS_ENDPOINT=") }?.split(separator: "=").last.map(String.init))
        #expect(text.contains("export EEOPS_ACCESS_TOKEN=printed-token"))
        let list = try await Binary.run(["list", "--format", "jsonl"], environment: ["EEOPS_ENDPOINT": endpoint, "EEOPS_PROJECT": "demo-project", "EEOPS_ACCESS_TOKEN": "printed-token"])
        #expect(list.status == 0)
        #expect(list.stdout.split(separator: "\n").count == 12)
        emulator.terminate()
        emulator.waitUntilExit()
        #expect(emulator.terminationStatus == 0)
    }
}
