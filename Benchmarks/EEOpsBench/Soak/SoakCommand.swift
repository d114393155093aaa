import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport

/// `eeops-bench soak`: the TUI in tmux against an emulator that answers badly a fifth of the time, while a
/// script marks and cancels operations in batches, as a user would with the keyboard. Passes when the TUI
/// stays up and answers keys, every cancel ends accounted for in the audit log, resident memory after
/// warm-up grows less than 10%, and the terminal is restored at the end. See docs/reliability.md.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak", abstract: "Soak the TUI under injected faults (make soak).")

    @Option(help: "The eeops binary under test.")
    var eeops = ".build/release/eeops"

    @Option(help: "How long the batches of cancels are spread over, in seconds (the run takes about 30 s more).")
    var seconds: Double = 60

    @Option(help: "Operations cancelled, in batches of 50.")
    var cancels = 500

    @Option(name: .customLong("fault-rate"), help: "Share of API answers replaced by faults (500/502/503, 429, resets, 2 s stalls, truncated bodies).")
    var faultRate = 0.2

    func validate() throws {
        guard cancels >= 50, cancels % 50 == 0 else { throw ValidationError("--cancels must be a multiple of 50") }
        guard seconds >= 10 else { throw ValidationError("--seconds must be at least 10") }
    }

    func run() async throws {
        let binary = URL(fileURLWithPath: eeops).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw ValidationError("no eeops binary at \(binary)") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("eeops-soak-\(getpid())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let audit = scratch + "/audit.jsonl"
        var checks = SoakChecks()

        // A project whose operations run for hours: each batch finds its 50 rows still RUNNING. One in
        // twenty answers a cancel with UNIMPLEMENTED; of the rest, one in ten finishes despite the cancel.
        let total = cancels + 20
        var configuration = EmulatorConfiguration()
        configuration.projects = [BenchEmulator.project]
        configuration.operationCount = 0
        configuration.acceptedTokens = [BenchEmulator.token]
        configuration.cancelDelay = .seconds(3)
        configuration.quota = QuotaConfiguration()
        configuration.testControls = true
        let emulator = BenchEmulator(emulator: try await Emulator.start(configuration), serviceAccountKeyPath: nil)
        for index in 0..<total {
            try await emulator.create(["runSeconds": 7200, "cancel": index % 20 == 7 ? "unimplemented" : "random", "description": "soak operation \(index)"])
        }
        _ = try await ControlClient.post(url: URL(string: emulator.url + "/_emulator/faults")!, body: "{\"rate\":\(faultRate)}")
        log("soak: \(total) operations, \(Int(faultRate * 100))% of answers faulty, \(cancels) cancels over \(Int(seconds)) s")

        let environment = ["PATH": "/usr/bin:/bin", "HOME": scratch, "LANG": "C.UTF-8", "TERM": "xterm-256color",
                           "EEOPS_ENDPOINT": emulator.url, "EEOPS_PROJECT": BenchEmulator.project, "EEOPS_ACCESS_TOKEN": BenchEmulator.token]
        let command = "env -i " + environment.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ") + " '\(binary)' --refresh 1 --audit-log '\(audit)'"
        let tmux = try TmuxSession(columns: 160, rows: 50, command: command)
        defer { tmux.close() }
        let loaded = try await tmux.waitFor(timeout: 120) { $0.contains("\(total)/\(total)") }
        guard loaded.contains("\(total)/\(total)"), let pid = try tmux.commandPID() else {
            throw ValidationError("the TUI did not list the project:\n\(loaded)")
        }

        // Batches of 50: g (first row; tmux's Home sequence is not xterm's), down to the batch, Space marks its first row, down 48 more, v marks the range,
        // x opens the dialog (which must appear: the TUI answers keys), y confirms.
        let batches = cancels / 50
        let gap = seconds / Double(batches)
        var warmRSS: Double?
        var peakRSS = 0.0
        let started = Date()
        for batch in 0..<batches {
            try tmux.send("g")
            if batch > 0 { try tmux.tmux(["send-keys", "-t", "main", "-N", "\(batch * 50)", "Down"]) }
            try tmux.send("Space")
            try tmux.tmux(["send-keys", "-t", "main", "-N", "48", "Down"])
            try tmux.send("v", "x")
            let dialog = try await tmux.waitFor(timeout: 15) { $0.contains("Cancel 50 operations") }
            checks.record("batch \(batch + 1): the dialog offers 50 operations", dialog.contains("Cancel 50 operations"),
                          detail: dialog.split(separator: "\n").suffix(6).joined(separator: "\n"))
            try tmux.send("y")
            let memory = ProcessProbe.memory(of: pid)
            checks.record("batch \(batch + 1): the TUI is running", memory != nil)
            if batch == 1 { warmRSS = memory?.rss } // after the first batch's cancels: warmed up
            peakRSS = max(peakRSS, memory?.rss ?? 0)
            let next = started.addingTimeInterval(gap * Double(batch + 1))
            if next > Date() { try await Task.sleep(for: .seconds(next.timeIntervalSinceNow)) }
        }

        // Every cancel must end: accepted then a final state, or rejected with a reason.
        var ledger = AuditLedger(path: audit)
        let settleDeadline = Date().addingTimeInterval(60)
        while Date() < settleDeadline {
            ledger = AuditLedger(path: audit)
            if ledger.requested.count >= cancels && ledger.unsettled.isEmpty { break }
            try await Task.sleep(for: .seconds(1))
        }
        let endRSS = ProcessProbe.memory(of: pid)?.rss ?? .nan
        checks.record("\(cancels) cancels requested", ledger.requested.count == cancels, detail: "\(ledger.requested.count) requested")
        checks.record("every cancel accounted for", ledger.unsettled.isEmpty, detail: "unsettled: \(ledger.unsettled.sorted().prefix(5))")
        let growth = (endRSS - (warmRSS ?? .nan)) / (warmRSS ?? .nan)
        checks.record("resident memory after warm-up grows < 10%", growth < 0.10,
                      detail: String(format: "%.1f MB after warm-up, %.1f MB at the end (%+.1f%%), peak %.1f MB", (warmRSS ?? .nan) / 1024, endRSS / 1024, growth * 100, max(peakRSS, endRSS) / 1024))

        try tmux.send("q")
        let after = try await tmux.waitFor(timeout: 30) { $0.contains("EXIT=") }
        checks.record("q exits 0", after.contains("EXIT=0"), detail: after.split(separator: "\n").suffix(4).joined(separator: " / "))
        checks.record("the terminal is restored", (try? tmux.display("#{alternate_on}")) == "0" && (try? tmux.display("#{cursor_flag}")) == "1")

        let stats = try await emulator.statistics()
        await emulator.stop()
        print("""
        soak: \(Int(Date().timeIntervalSince(started))) s, \(stats["requests"] ?? 0) API requests, \(stats["faultsInjected"] ?? 0) faults injected, \
        \(stats["rateLimited"] ?? 0) answered 429 by the quota
        outcomes: \(ledger.outcomeCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        """)
        for check in checks.results { print("\(check.passed ? "PASS" : "FAIL")  \(check.name)\(check.detail.isEmpty ? "" : " — \(check.detail)")") }
        try? FileManager.default.removeItem(atPath: scratch)
        if checks.results.contains(where: { !$0.passed }) { throw ExitCode.failure }
    }
}

/// The pass/fail checks of a soak run, in order.
struct SoakChecks {
    struct Result { var name: String; var passed: Bool; var detail: String }
    private(set) var results: [Result] = []

    mutating func record(_ name: String, _ passed: Bool, detail: String = "") {
        results.append(Result(name: name, passed: passed, detail: passed && detail.count > 200 ? "" : String(detail.prefix(400))))
    }
}

/// What the audit log says became of each cancel.
struct AuditLedger {
    /// Names with a `requested` entry.
    var requested: Set<String> = []
    /// Requested names without an end yet: neither rejected, nor accepted and then final.
    var unsettled: Set<String> = []
    /// How the settled ones ended (final outcome, or the rejection's code).
    var outcomeCounts: [String: Int] = [:]

    init(path: String) {
        let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
        var stages: [String: [[String: Any]]] = [:]
        for line in lines {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let name = entry["name"] as? String else { continue }
            stages[name, default: []].append(entry)
        }
        for (name, entries) in stages {
            let kinds = entries.compactMap { $0["stage"] as? String }
            guard kinds.contains("requested") else { continue }
            requested.insert(name)
            if let rejection = entries.first(where: { $0["stage"] as? String == "rejected" }) {
                outcomeCounts["rejected: " + ((rejection["code"] as? String) ?? (rejection["outcome"] as? String) ?? "?"), default: 0] += 1
            } else if kinds.contains("accepted"), let final = entries.last(where: { $0["stage"] as? String == "final" }) {
                outcomeCounts[(final["outcome"] as? String) ?? "final", default: 0] += 1
            } else {
                unsettled.insert(name)
            }
        }
    }
}
