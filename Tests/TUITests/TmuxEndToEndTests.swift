import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport
import Testing

/// The TUI in a real terminal: tmux runs `eeops` against the emulator; keys go in with send-keys and
/// the screen is read with capture-pane.
@Suite("The TUI in tmux", .serialized)
struct TmuxEndToEndTests {
    static let token = "tui-test-token-91c2"
    static let project = "tui-project"

    struct Fixture {
        let emulator: Emulator
        let session: TmuxSession

        func create(_ spec: String) async throws {
            let url = URL(string: emulator.baseURL + "/_emulator/projects/\(TmuxEndToEndTests.project)/operations")!
            let answer = try await ControlClient.post(url: url, body: spec)
            #expect(answer.contains("\"name\""), "create failed: \(answer)")
        }

        func advance(seconds: Double) async throws {
            let answer = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/clock:advance")!, body: "{\"seconds\":\(seconds)}")
            #expect(answer.contains("now"))
        }
    }

    /// Starts an emulator (manual clock) holding `operations`, then eeops in a tmux pane.
    func withTUI(columns: Int = 100, rows: Int = 30, arguments: String = "", environment: String = "LANG=C.UTF-8 TERM=xterm-256color",
                 credentials: ((Emulator) throws -> String)? = nil, launcher: String = "", operations: [String] = [],
                 configure: (inout EmulatorConfiguration) throws -> Void = { _ in }, _ body: (Fixture) async throws -> Void) async throws {
        var configuration = Self.emulatorConfiguration()
        configuration.cancelDelay = .seconds(3)
        try configure(&configuration)
        let emulator = try await Emulator.start(configuration)
        let url = URL(string: emulator.baseURL + "/_emulator/projects/\(Self.project)/operations")!
        for spec in operations { _ = try await ControlClient.post(url: url, body: spec) }
        let command = Self.command(endpoint: emulator.baseURL, environment: environment, credentials: try credentials?(emulator),
                                   launcher: launcher, arguments: arguments)
        let session = try TmuxSession(columns: columns, rows: rows, command: command)
        do {
            try await body(Fixture(emulator: emulator, session: session))
        } catch {
            session.close()
            await emulator.stop()
            throw error
        }
        session.close()
        await emulator.stop()
    }

    /// An empty project on a manual clock that accepts `token`.
    static func emulatorConfiguration() -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.projects = [project]
        configuration.operationCount = 0
        configuration.acceptedTokens = [token]
        configuration.clock = .manual(start: Date(timeIntervalSince1970: 1_763_856_000))
        configuration.testControls = true
        return configuration
    }

    /// The shell command that runs the TUI against `endpoint` in a clean environment, refreshing every 0.5 s, with
    /// a local history of its own (in `dataHome`, else a new folder), so that no test draws another's rows.
    static func command(endpoint: String, environment: String = "LANG=C.UTF-8 TERM=xterm-256color", credentials: String? = nil,
                        launcher: String = "", arguments: String = "", dataHome: String? = nil) -> String {
        let data = dataHome ?? NSTemporaryDirectory() + "eeops-tui-data-\(UUID().uuidString)"
        return "\(launcher)env -i PATH=/usr/bin:/bin HOME=/tmp XDG_DATA_HOME=\(data) XDG_CONFIG_HOME=\(data) \(environment) EEOPS_ENDPOINT=\(endpoint) EEOPS_PROJECT=\(project) "
            + "\(credentials ?? "EEOPS_ACCESS_TOKEN=\(token)") \(Binary.path) --refresh 0.5 \(arguments)"
    }

    static let threeKinds = [
        #"{"id":"E2EAAAAAAAAAAAAAAAAAAAAA","description":"e2e cancels","cancel":"cancels"}"#,
        #"{"id":"E2EBBBBBBBBBBBBBBBBBBBBB","description":"e2e completes anyway","cancel":"completes"}"#,
        #"{"id":"E2ECCCCCCCCCCCCCCCCCCCCC","description":"e2e unsupported","cancel":"unimplemented"}"#,
        #"{"id":"OTHERDDDDDDDDDDDDDDDDDDD","description":"not part of it","state":"SUCCEEDED"}"#,
    ]

    @Test func markCancelAndWatchEveryOutcome() async throws {
        let audit = NSTemporaryDirectory() + "eeops-tui-audit-\(UUID().uuidString).jsonl"
        try await withTUI(arguments: "--audit-log \(audit)", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            try tui.send("/")
            try tui.send("e2e", literal: true)
            try tui.send("Enter", "*", "x")
            let dialog = try await tui.waitFor("Cancel 3 operations")
            #expect(dialog.contains("[ No ]"), "focus starts on No")
            try tui.send("y")
            var screen = try await tui.waitFor { $0.contains("unsupported") && $0.components(separatedBy: "RUNNING → CANCELLING").count == 3 }
            #expect(row("E2EAAAAAA", in: screen).contains("RUNNING → CANCELLING"), "\(screen)")
            #expect(row("E2EBBBBBB", in: screen).contains("RUNNING → CANCELLING"), "\(screen)")
            #expect(row("E2ECCCCCC", in: screen).contains("unsupported"), "\(screen)")
            try await fixture.advance(seconds: 5)
            screen = try await tui.waitFor { $0.contains("CANCELLING → CANCELLED") && $0.contains("finished anyway") }
            #expect(row("E2EAAAAAA", in: screen).contains("CANCELLING → CANCELLED"), "\(screen)")
            #expect(row("E2EAAAAAA", in: screen).contains("cancelled"), "\(screen)")
            #expect(row("E2EBBBBBB", in: screen).contains("CANCELLING → SUCCEEDED"), "\(screen)")
            #expect(row("E2EBBBBBB", in: screen).contains("finished anyway"), "\(screen)")
            #expect(row("E2ECCCCCC", in: screen).contains("RUNNING"), "\(screen)")
            try tui.send("q")
            let after = try await tui.waitFor("EXIT=")
            #expect(after.contains("EXIT=0"))
            #expect(after.contains("cancels this session: 1 cancelled, 1 finished despite cancel, 1 unsupported"), "\(after)")
            #expect(try tui.display("#{alternate_on}") == "0", "the alternate screen is left")
            #expect(try tui.display("#{cursor_flag}") == "1", "the cursor is visible again")
            // Every cancel is in the audit log, from request to outcome.
            let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
            let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            func stages(_ id: String) -> [String] {
                entries.filter { ($0["name"] as? String)?.hasSuffix(id) == true }.compactMap { $0["stage"] as? String }
            }
            #expect(stages("E2EAAAAAAAAAAAAAAAAAAAAA") == ["requested", "sent", "accepted", "final"])
            #expect(stages("E2EBBBBBBBBBBBBBBBBBBBBB") == ["requested", "sent", "accepted", "final"])
            #expect(stages("E2ECCCCCCCCCCCCCCCCCCCCC") == ["requested", "sent", "rejected"])
        }
    }

    /// The screen line of the row whose id starts with `id`.
    /// `--eecu-limit 100 --cancel-over-limit`: the screen opens on the guard's one question; once the user agrees,
    /// the operation that passes 100 EECU-seconds is flagged and cancelled, audited as the TUI's cancels are, and
    /// `--notify-command` runs for its end. The operation under the limit is left alone.
    @Test func theArmedGuardCancelsWhatPassesTheLimitAndItsEndIsAnnounced() async throws {
        let files = NSTemporaryDirectory() + "eeops-tui-guard-\(UUID().uuidString)"
        let arguments = "--audit-log \(files).jsonl --log-file \(files).log --eecu-limit 100 --cancel-over-limit --notify-command 'echo \"$EEOPS_NAME $EEOPS_STATE\" >> \(files).txt'"
        let operations = [
            #"{"id":"GUARDAAAAAAAAAAAAAAAAAAA","description":"big mosaic","cancel":"cancels","eecuPerSecond":10}"#,
            #"{"id":"CALMBBBBBBBBBBBBBBBBBBBB","description":"small table","cancel":"cancels","eecuPerSecond":0.1}"#,
        ]
        try await withTUI(columns: 140, arguments: arguments, operations: operations) { fixture in
            let tui = fixture.session
            let question = try await tui.waitFor("EECU guard", timeout: 60)
            #expect(question.contains("more than 100 EECU-s") && question.contains("[ No ]"), "\(question)")
            try tui.send("y")
            _ = try await tui.waitFor("0 over 100 EECU-s (cancelling)")
            try await fixture.advance(seconds: 30) // 300 EECU-seconds for one, 3 for the other
            var screen = try await tui.waitFor { self.row("GUARDAAAA", in: $0).contains("CANCELLING") }
            #expect(screen.contains("1 over 100 EECU-s (cancelling)"), "\(screen)")
            #expect(self.row("CALMBBBBB", in: screen).contains("RUNNING"), "\(screen)")
            try await fixture.advance(seconds: 5) // the emulator's cancel delay is 3 s
            screen = try await tui.waitFor { self.row("GUARDAAAA", in: $0).contains("cancelled") }
            var announced = ""
            for _ in 0..<100 where !announced.contains("CANCELLED") {
                announced = (try? String(contentsOfFile: files + ".txt", encoding: .utf8)) ?? ""
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(announced == "projects/\(Self.project)/operations/GUARDAAAAAAAAAAAAAAAAAAA CANCELLED\n", "\(announced)")
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=").contains("EXIT=0"))
            let entries = try String(contentsOfFile: files + ".jsonl", encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(entries.compactMap { $0["stage"] as? String } == ["requested", "sent", "accepted", "final"], "\(entries)")
            #expect(entries.allSatisfy { ($0["name"] as? String)?.hasSuffix("/GUARDAAAAAAAAAAAAAAAAAAA") == true && $0["tool"] as? String == "tui" })
            let events = try String(contentsOfFile: files + ".log", encoding: .utf8)
            #expect(events.contains("EECU guard armed") && events.contains("EECU guard: cancel sent for 1 operation past 100 EECU-s"), "\(events)")
        }
    }

    func row(_ id: String, in screen: String) -> String {
        screen.split(separator: "\n").first { $0.contains(id) }.map(String.init) ?? ""
    }

    @Test func filterSortReadOnlyAndResize() async throws {
        try await withTUI(columns: 80, rows: 24, arguments: "--readonly", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            try tui.send("x")
            #expect(try await tui.waitFor("read-only: cancelling is disabled").contains("read-only"))
            #expect(!(try tui.screen()).contains("Cancel operations"))
            try tui.send("?")
            #expect(try await tui.waitFor("--readonly").contains("read-only: cancelling is disabled (--readonly)"))
            try tui.send("Escape")
            try tui.send("/")
            try tui.send("anyway", literal: true)
            var screen = try await tui.waitFor("/anyway_")
            #expect(screen.contains("e2e completes anyway"))
            #expect(!screen.contains("e2e unsupported"))
            try tui.send("Escape")
            screen = try await tui.waitFor("e2e unsupported")
            #expect(screen.contains("not part of it"))
            try tui.send("S")
            screen = try await tui.waitFor("STATE↑")
            let rows = screen.split(separator: "\n").filter { $0.contains("E2E") || $0.contains("OTHER") }
            #expect(rows.last?.contains("SUCCEEDED") == true, "running first when sorted by state: \(rows)")
            try tui.resize(columns: 130, rows: 40)
            screen = try await tui.waitFor("TYPE")
            #expect(screen.contains("EXPORT_IMAGE"))
            try tui.resize(columns: 30, rows: 8)
            screen = try await tui.waitFor("too small")
            try tui.resize(columns: 80, rows: 24)
            screen = try await tui.waitFor("e2e unsupported")
            #expect(!screen.contains("too small"))
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=").contains("EXIT=0"))
        }
    }

    @Test func escapeSequencesInServerTextStayInert() async throws {
        let evil = #"{"id":"EVILAAAAAAAAAAAAAAAAAAAA","description":"\u001b]2;HACKED\u0007\u001b[2J\u001b]0;HACKED2\u001b\\ evil\u202etxet"}"#
        try await withTUI(columns: 200, rows: 60, operations: [evil]) { fixture in
            let tui = fixture.session
            let before = try tui.display("#{pane_title}")
            let screen = try await tui.waitFor("evil", timeout: 60)
            #expect(screen.contains("^[]2;HACKED^G^[[2J^[]0;HACKED2^[\\ evil<U+202E>txet"), "\(screen)")
            try tui.send("Enter")
            _ = try await tui.waitFor("State history")
            let title = try tui.display("#{pane_title}")
            #expect(title == before)
            #expect(!title.contains("HACKED"))
            try tui.send("q", "q")
            _ = try await tui.waitFor("EXIT=")
        }
    }

    @Test(arguments: [("SIGTERM", "EXIT=130"), ("SIGHUP", "EXIT=130"), ("SIGINT", "EXIT=130"), ("q", "EXIT=0")])
    func terminalIsRestoredOnQuitAndSignals(how: String, expected: String) async throws {
        try await withTUI(operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            #expect(try tui.display("#{alternate_on}") == "1")
            if how == "q" {
                try tui.send("q")
            } else {
                let pid = try #require(try tui.commandPID())
                let number = ["SIGTERM": SIGTERM, "SIGHUP": SIGHUP, "SIGINT": SIGINT][how]!
                #expect(kill(pid, number) == 0)
            }
            let after = try await tui.waitFor("EXIT=")
            #expect(after.contains(expected), "\(how): \(after)")
            #expect(try tui.display("#{alternate_on}") == "0", "\(how): alternate screen left")
            #expect(try tui.display("#{cursor_flag}") == "1", "\(how): cursor shown")
        }
    }

    @Test(arguments: ["TERM=vt100 LANG=C", "TERM=linux LANG=C.UTF-8", "TERM=screen LANG=C.UTF-8 NO_COLOR=1"])
    func worksOnPlainTerminals(environment: String) async throws {
        try await withTUI(columns: 80, rows: 24, environment: environment, operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            let screen = try await tui.waitFor("e2e unsupported", timeout: 60)
            #expect(screen.contains("E2EAAAAA"))
            if environment.contains("LANG=C ") || environment.hasSuffix("LANG=C") {
                #expect(screen.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII mode without a UTF-8 locale")
            }
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=").contains("EXIT=0"))
        }
    }

    /// A mistake of the user's (here a project the server refuses) is one line on the normal screen, whether it is
    /// the only project or the second of two whose first answers at once.
    @Test(arguments: ["--project no-such-project", "--project \(project) --project no-such-project"])
    func startupErrorsAreOneClearLine(arguments: String) async throws {
        try await withTUI(arguments: arguments, operations: Self.threeKinds) { fixture in
            let screen = try await fixture.session.waitFor("EXIT=", timeout: 60)
            #expect(screen.contains("eeops: "), "\(screen)")
            #expect(screen.contains("no-such-project"), "\(screen)")
            #expect(screen.contains("EXIT=3"), "\(screen)")
            #expect(try fixture.session.display("#{alternate_on}") == "0")
        }
    }

    /// A server that is down when the TUI starts: the screen opens, the header says so, and the rows appear
    /// by themselves once the server is back on the same address.
    @Test func serverDownAtStartIsShownAndRecoveredFrom() async throws {
        var configuration = Self.emulatorConfiguration()
        let probe = try await Emulator.start(configuration)
        configuration.port = probe.port
        await probe.stop()
        let session = try TmuxSession(columns: 120, rows: 30, command: Self.command(endpoint: "http://127.0.0.1:\(configuration.port)"))
        defer { session.close() }
        let down = try await session.waitFor(timeout: 60) { $0.contains("retrying in") }
        #expect(down.split(separator: "\n").prefix(2).joined().contains("connection refused"), "the header says why: \(down)")
        #expect(try session.display("#{alternate_on}") == "1", "the screen is open")
        let emulator = try await Emulator.start(configuration)
        defer { Task { await emulator.stop() } }
        for spec in Self.threeKinds { _ = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/projects/\(Self.project)/operations")!, body: spec) }
        let back = try await session.waitFor(timeout: 90) { $0.contains("e2e unsupported") && !$0.contains("retrying in") }
        #expect(back.contains("e2e unsupported") && back.contains("updated"), "\(back)")
        try session.send("q")
        #expect(try await session.waitFor("EXIT=").contains("EXIT=0"))
    }

    /// The history `eeops list` kept is drawn at once, marked, while the server is slow to answer; the first
    /// listing replaces it (a row the server no longer lists leaves), and what the interface saw is kept.
    @Test func rowsFromTheHistoryShowUntilTheServerAnswers() async throws {
        let emulator = try await Emulator.start(Self.emulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let create = URL(string: emulator.baseURL + "/_emulator/projects/\(Self.project)/operations")!
        _ = try await ControlClient.post(url: create, body: #"{"id":"KEPTAAAAAAAAAAAAAAAAAAAA","description":"kept in history","runSeconds":100000}"#)
        _ = try await ControlClient.post(url: create, body: #"{"id":"GONEBBBBBBBBBBBBBBBBBBBB","description":"deleted since","state":"SUCCEEDED"}"#)
        let data = NSTemporaryDirectory() + "eeops-tui-data-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let environment = ["EEOPS_ENDPOINT": emulator.baseURL, "EEOPS_PROJECT": Self.project, "EEOPS_ACCESS_TOKEN": Self.token, "XDG_DATA_HOME": data]
        #expect(try await Binary.run(["list"], environment: environment).status == 0)
        #expect(try await Binary.run(["delete", "GONEBBBBBBBBBBBBBBBBBBBB", "--yes"], environment: environment).status == 0)
        _ = try await ControlClient.post(url: create, body: #"{"id":"NEWCCCCCCCCCCCCCCCCCCCCC","description":"new on the server"}"#)
        // Every answer takes 2 s: the history's rows are all there is to draw meanwhile.
        _ = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/faults")!, body: #"{"rate":1,"kinds":["stall"]}"#)
        let session = try TmuxSession(columns: 120, rows: 24, command: Self.command(endpoint: emulator.baseURL, dataHome: data))
        defer { session.close() }
        let cached = try await session.waitFor(timeout: 20) { $0.contains("rows from history") }
        #expect(cached.contains("2 rows from history") && cached.contains("deleted since") && cached.contains("kept in history"), "\(cached)")
        #expect(!cached.contains("new on the server"))
        _ = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/faults")!, body: #"{"rate":0}"#)
        let live = try await session.waitFor(timeout: 30) { $0.contains("new on the server") && !$0.contains("from history") }
        #expect(!live.contains("deleted since"), "the row the server no longer lists left: \(live)")
        #expect(live.contains("kept in history"))
        try session.send("q")
        #expect(try await session.waitFor("EXIT=").contains("EXIT=0"))
        let report = try await Binary.run(["report", "--format", "json"], environment: environment)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(object["operations"] as? Int == 3, "the interface kept the new operation too: \(report.stdout)")
    }

    /// A name that does not resolve is a network fault like any other: said in the header, retried, no crash.
    @Test func unresolvableHostIsShownInTheHeader() async throws {
        let session = try TmuxSession(columns: 120, rows: 30, command: Self.command(endpoint: "https://eeops-test-host.invalid"))
        defer { session.close() }
        let screen = try await session.waitFor(timeout: 60) { $0.contains("retrying in") }
        #expect(screen.split(separator: "\n").prefix(2).joined().contains("the host name could not be resolved"), "\(screen)")
        #expect(!screen.contains(Self.token))
        try session.send("q")
        #expect(try await session.waitFor("EXIT=").contains("EXIT=0"))
    }

    /// Tokens that expire every two seconds are renewed from the service-account key without the user seeing it.
    @Test func expiringTokensAreRenewedMidSession() async throws {
        let keys = try Emulator.makeServiceAccountKeyPair()
        let email = "tui-test@\(Self.project).iam.gserviceaccount.com"
        let keyPath = NSTemporaryDirectory() + "eeops-tui-key-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: keyPath) }
        try await withTUI(credentials: { emulator in
            let json = try emulator.serviceAccountKeyFile(email: email, projectID: Self.project, privateKeyPEM: keys.privateKeyPEM)
            #expect(FileManager.default.createFile(atPath: keyPath, contents: json, attributes: [.posixPermissions: 0o600]))
            return "GOOGLE_APPLICATION_CREDENTIALS=\(keyPath)"
        }, operations: Self.threeKinds, configure: { configuration in
            configuration.acceptedTokens = []
            configuration.serviceAccounts[email] = keys.publicKeyPEM
            configuration.tokenLifetime = .seconds(2)
        }) { fixture in
            let tui = fixture.session
            #expect(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            try await Task.sleep(for: .seconds(7))
            try await fixture.create(#"{"id":"LATEAAAAAAAAAAAAAAAAAAAA","description":"arrived after renewals"}"#)
            let screen = try await tui.waitFor("arrived after renewals", timeout: 30)
            #expect(screen.contains("arrived after renewals"), "\(screen)")
            #expect(!screen.contains("stale"), "no refresh failed: \(screen)")
            let stats = try await ControlClient.get(url: URL(string: fixture.emulator.baseURL + "/_emulator/stats")!)
            let grants = (try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Int])?["tokenGrants"] ?? 0
            #expect(grants >= 3, "tokens were renewed: \(stats)")
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=").contains("EXIT=0"))
        }
    }

    /// Quitting while cancel requests are still on their way waits for their answers (within its grace
    /// period) and records each in the audit log: none is left unknown.
    @Test(arguments: ["q", "SIGHUP"])
    func quittingWithCancelsInFlightAccountsForEach(how: String) async throws {
        let audit = NSTemporaryDirectory() + "eeops-tui-inflight-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: audit) }
        try await withTUI(arguments: "--audit-log \(audit)", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            // From now on every answer takes two seconds.
            _ = try await ControlClient.post(url: URL(string: fixture.emulator.baseURL + "/_emulator/faults")!, body: #"{"rate":1,"kinds":["stall"]}"#)
            try tui.send("/")
            try tui.send("e2e", literal: true)
            try tui.send("Enter", "*", "x")
            _ = try await tui.waitFor("Cancel 3 operations")
            try tui.send("y")
            if how == "q" {
                try tui.send("q")
            } else {
                kill(try #require(try tui.commandPID()), SIGHUP)
            }
            let after = try await tui.waitFor("EXIT=", timeout: 30)
            #expect(after.contains(how == "q" ? "EXIT=0" : "EXIT=130"), "\(after)")
            #expect(after.contains("cancels this session:"), "\(after)")
            let entries = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            for id in ["E2EAAAAAAAAAAAAAAAAAAAAA", "E2EBBBBBBBBBBBBBBBBBBBBB", "E2ECCCCCCCCCCCCCCCCCCCCC"] {
                let stages = entries.filter { ($0["name"] as? String)?.hasSuffix(id) == true }.compactMap { $0["stage"] as? String }
                #expect(stages.starts(with: ["requested", "sent"]), "\(id): \(stages)")
                #expect(stages.contains("accepted") || stages.contains("rejected"), "\(id) has its answer: \(stages)")
            }
        }
    }

    /// The terminal itself going away (tmux's server killed, like an SSH connection dropping) ends the TUI:
    /// it must neither linger nor spin on a dead terminal. Under `setsid` the terminal is not the process's
    /// controlling terminal, so no SIGHUP comes: the TUI must notice the hang-up by itself.
    @Test(arguments: ["", "setsid "])
    func aVanishedTerminalEndsTheProcess(launcher: String) async throws {
        try await withTUI(launcher: launcher, operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            let pid = try #require(try tui.commandPID())
            // The terminal's other end disappears at once, as when sshd dies: the server is killed outright.
            let server = try #require(Int32(try tui.display("#{pid}")))
            #expect(kill(server, SIGKILL) == 0)
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline, FileManager.default.fileExists(atPath: "/proc/\(pid)/stat"),
                  (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") != true {
                try await Task.sleep(for: .milliseconds(100))
            }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            #expect(stat.isEmpty || stat.contains(") Z "), "eeops still running after its terminal went away: \(stat)")
        }
    }

    /// Ctrl-Z gives the terminal back (normal screen, cursor shown) and stops eeops; `fg` takes the screen again and
    /// draws it whole. Run from an interactive shell, as a user does: job control needs one.
    @Test func ctrlZSuspendsWithTheTerminalRestoredAndFgRedraws() async throws {
        let emulator = try await Emulator.start(Self.emulatorConfiguration())
        defer { Task { await emulator.stop() } }
        for spec in Self.threeKinds { _ = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/projects/\(Self.project)/operations")!, body: spec) }
        let tui = try TmuxSession(columns: 100, rows: 30, command: "env -i PATH=/usr/bin:/bin HOME=/tmp TERM=xterm-256color PS1='$ ' bash --norc --noprofile -i")
        defer { tui.close() }
        _ = try await tui.waitFor("$")
        try tui.send(Self.command(endpoint: emulator.baseURL), literal: true)
        try tui.send("Enter")
        try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
        let pid = try #require(try tui.commandPID())
        try tui.send("C-z")
        let stopped = try await waitUntil { (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") T ") == true }
        #expect(stopped, "eeops is stopped")
        let shell = try await tui.waitFor("Stopped")
        #expect(shell.contains("Stopped"), "the shell has the terminal: \(shell)")
        #expect(try tui.display("#{alternate_on}") == "0", "the normal screen is back while suspended")
        #expect(try tui.display("#{cursor_flag}") == "1", "the cursor is shown while suspended")
        try tui.send("fg", literal: true)
        try tui.send("Enter")
        let resumed = try await waitUntil { (try? tui.display("#{alternate_on}")) == "1" }
        #expect(resumed, "the screen is taken again")
        let screen = try await tui.waitFor { $0.contains("e2e unsupported") && $0.contains("E2EAAAAA") && !$0.contains("Stopped") }
        #expect(screen.contains("E2EAAAAA") && !screen.contains("Stopped"), "drawn whole again: \(screen)")
        try tui.send("q")
        #expect(try await waitUntil { !FileManager.default.fileExists(atPath: "/proc/\(pid)") }, "eeops quit")
        try tui.send("echo \"STATUS=$?\"", literal: true)
        try tui.send("Enter")
        #expect(try await tui.waitFor("STATUS=").contains("STATUS=0"))
    }

    /// A crash (SIGSEGV here) or SIGQUIT restores the terminal before the process dies.
    @Test(arguments: [("SIGSEGV", SIGSEGV), ("SIGQUIT", SIGQUIT), ("SIGABRT", SIGABRT)])
    func crashesRestoreTheTerminal(name: String, number: Int32) async throws {
        try await withTUI(operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            let pid = try #require(try tui.commandPID())
            #expect(kill(pid, number) == 0)
            let after = try await tui.waitFor("EXIT=", timeout: 30)
            #expect(!after.contains("EXIT=0"), "\(name): \(after)")
            #expect(try tui.display("#{alternate_on}") == "0", "\(name): alternate screen left")
            #expect(try tui.display("#{cursor_flag}") == "1", "\(name): cursor shown")
        }
    }

    /// Core dumps are off while credentials are in memory.
    @Test func coreDumpsAreDisabled() async throws {
        try await withTUI(operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            let pid = try #require(try tui.commandPID())
            let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
            let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
            #expect(core.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(core)")
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=").contains("EXIT=0"))
        }
    }

    /// A 1 MiB description without a space: the detail view answered neither Esc nor q for over ten seconds
    /// (wrapping was redone every frame, in quadratic time).
    @Test func aHugeDescriptionDoesNotHangTheDetailView() async throws {
        let huge = String(repeating: "x", count: 1 << 20)
        try await withTUI(operations: [#"{"id":"HUGEAAAAAAAAAAAAAAAAAAAA","description":"\#(huge)"}"#]) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("HUGEAAAA", timeout: 60).contains("HUGEAAAA"))
            try tui.send("Enter")
            let detail = try await tui.waitFor("Description", timeout: 10)
            #expect(detail.contains("Description"), "\(detail)")
            try tui.send("Escape")
            let table = try await tui.waitFor(timeout: 10) { !$0.contains("Description") && $0.contains("HUGEAAAA") }
            #expect(!table.contains("Description"), "Esc answered: \(table)")
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=", timeout: 10).contains("EXIT=0"))
        }
    }

    /// The table keeps finished operations as summaries: their details view fetches the whole operation, and
    /// shows its destinations and stages as the server has them.
    @Test func theDetailsOfAFinishedOperationShowWhatTheTableLeavesOut() async throws {
        try await withTUI(operations: [#"{"id":"DONEAAAAAAAAAAAAAAAAAAAA","state":"SUCCEEDED"}"#]) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("DONEAAAA", timeout: 60).contains("DONEAAAA"))
            try tui.send("Enter")
            let detail = try await tui.waitFor("Stages", timeout: 10)
            #expect(detail.contains("Destinations https://drive.google.com/#folders/DONEAAAAAAAA"), "\(detail)")
            #expect(detail.contains("Write") && !detail.contains("loading"), "\(detail)")
            try tui.send("q")
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=", timeout: 10).contains("EXIT=0"))
        }
    }

    /// `--log-file` on a full disk, or into a pipe, does not stop the interface (Foundation's FileHandle trapped
    /// on ENOSPC and on seeking a pipe); quitting says the diagnostics stopped.
    @Test(arguments: ["/dev/full", "fifo"])
    func aLogFileThatFailsDoesNotStopTheInterface(target: String) async throws {
        var path = target
        var reader: Process?
        if target == "fifo" {
            path = NSTemporaryDirectory() + "eeops-log-fifo-\(UUID().uuidString)"
            #expect(mkfifo(path, 0o600) == 0)
            let cat = Process()
            cat.executableURL = URL(fileURLWithPath: "/bin/cat")
            cat.arguments = [path]
            cat.standardOutput = FileHandle.nullDevice
            try cat.run()
            reader = cat
        }
        defer {
            reader?.terminate()
            if target == "fifo" { try? FileManager.default.removeItem(atPath: path) }
        }
        try await withTUI(arguments: "--log-file \(path)", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            try tui.send("r")
            try await Task.sleep(for: .seconds(1))
            try tui.send("q")
            let after = try await tui.waitFor("EXIT=")
            #expect(after.contains("EXIT=0"), "\(after)")
            if target == "/dev/full" { #expect(after.contains("diagnostics stopped"), "\(after)") }
        }
    }

    /// `--log-file` stopped getting lines once the screen's log held its 200 entries (the app wrote lines only when
    /// the log's length changed); every entry now reaches the file.
    @Test func theLogFileGetsEveryLinePastTheScreensLast200() async throws {
        let path = NSTemporaryDirectory() + "eeops-log-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        func refreshLines() -> Int {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").filter { $0.hasSuffix(" info refreshing") }.count
        }
        try await withTUI(arguments: "--log-file \(path)", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try #require(try await tui.waitFor("e2e unsupported", timeout: 60).contains("RUNNING"))
            try tui.send(String(repeating: "r", count: 250), literal: true)
            _ = try await waitUntil { refreshLines() >= 250 }
            try tui.send("q")
            #expect(try await tui.waitFor("EXIT=").contains("EXIT=0"))
            #expect(refreshLines() == 250)
        }
    }

    /// Server text in the header (a proxy's page title) is neutralised: nothing reaches the terminal raw.
    @Test func aProxyPageInTheHeaderIsNeutralised() async throws {
        let server = try await HostileServer.start { _ in
            HostileServer.Answer(status: 502, contentType: "text/html", "<html><title>Bad \u{1B}]2;HACKED\u{07}Gateway\u{1B}[2J</title></html>")
        }
        defer { Task { await server.stop() } }
        let session = try TmuxSession(columns: 160, rows: 30, command: Self.command(endpoint: server.baseURL))
        defer { session.close() }
        let before = try session.display("#{pane_title}")
        let screen = try await session.waitFor(timeout: 60) { $0.contains("retrying in") }
        #expect(screen.contains("^[]2;HACKED^GGateway^[[2J"), "\(screen)")
        #expect(try session.display("#{pane_title}") == before)
        try session.send("q")
        #expect(try await session.waitFor("EXIT=").contains("EXIT=0"))
    }

    /// Polls `condition` every 100 ms for up to ten seconds.
    func waitUntil(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
