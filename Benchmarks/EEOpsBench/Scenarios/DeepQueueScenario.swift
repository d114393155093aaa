import EarthEngineOperations
import Foundation
import TestSupport

/// Scenario 8: active operations spread through the whole history, as in a project whose user queued thousands
/// of exports (PENDING operations days deep), not only on the first page. The idle TUI's requests, CPU and memory
/// against `watch`, which keeps every operation fresh; and the freshness of the rows the user sees.
enum DeepQueueScenario {
    /// Share of the operations that are active, on every page.
    static let activeFraction = 0.05

    static func run(_ context: BenchContext) async throws -> ScenarioReport {
        let sizes = context.quick ? [2_000] : [10_000, 100_000]
        let idleWindow = context.seconds(30, quick: 6)
        var rows: [[String]] = []
        var targets: [ScenarioReport.Target] = []
        for size in sizes {
            let figures = try await BenchEmulator.start(operations: size, activeFraction: activeFraction, quota: true) {
                $0.activePlacement = .spread
            }.using { emulator in
                try await measureIdle(context, emulator: emulator, count: size, idleWindow: idleWindow, alsoWithoutHistory: size == sizes[0])
            }
            for program in figures {
                rows.append(["\(size)", program.name, Figure.number(program.requestsPerSecond, digits: 2), Figure.percent(program.cpu),
                             Figure.megabytes(program.memory.rss), Figure.megabytes(program.memory.peak)])
            }
            let tui = figures[0]
            let megabytes = tui.memory.rss * 1024 / 1_000_000
            if size == sizes[0] {
                targets.append(.init(scenario: "8. deep queue", target: "idle TUI ≤ 1 request/s (\(size) ops)",
                                     measured: Figure.number(tui.requestsPerSecond, digits: 2) + "/s", met: tui.requestsPerSecond <= 1))
                targets.append(.init(scenario: "8. deep queue", target: "idle TUI ≤ 1% of a core (\(size) ops)",
                                     measured: Figure.percent(tui.cpu), met: tui.cpu <= 0.01))
            } else {
                targets.append(.init(scenario: "8. deep queue", target: "TUI resident ≤ 100 MB (\(size) ops)",
                                     measured: String(format: "%.1f MB", megabytes), met: megabytes <= 100))
            }
        }
        let freshnessSize = context.size(10_000, quick: 2_000)
        let interval = PollerConfiguration().interval.seconds
        let (plain, cancelled) = try await BenchEmulator.start(operations: freshnessSize, activeFraction: activeFraction) {
            $0.activePlacement = .spread
            $0.cancelDelay = .milliseconds(1500)
        }.using { emulator in
            try await FreshnessScenario.measure(emulator, transitions: context.size(150, quick: 30), cancels: context.size(60, quick: 15), shown: true)
        }
        targets.append(.init(scenario: "8. deep queue", target: "rows shown: p99 ≤ interval + 100 ms (\(freshnessSize) ops)",
                             measured: Figure.seconds(plain.percentile(99)), met: plain.percentile(99) <= interval + 0.1))
        targets.append(.init(scenario: "8. deep queue", target: "cancelled rows p99 ≤ 1.2 s (\(freshnessSize) ops)",
                             measured: Figure.seconds(cancelled.percentile(99)), met: cancelled.percentile(99) <= 1.2))
        let body = """
        Projects whose active operations (\(Figure.percent(activeFraction)) of them) lie on every page of a listing: \
        `eeops emulator --active-placement spread`, the quota on. The TUI in tmux (160×48) and `eeops watch --format jsonl` \
        run one after the other, each idle with the default 2 s interval; the TUI keeps its local history (as by \
        default: every operation written once, then each change), and at \(sizes[0]) also runs with `--no-history`. Requests counted by the emulator over \
        \(Figure.seconds(idleWindow)) after warm-up (each program alone, the other stopped), CPU time as a share of \
        one core over the same window, resident memory (`VmRSS`) at its end and the peak (`VmHWM`).

        \(markdownTable(["Operations", "Program", "Requests/s", "CPU while idle", "Resident", "Peak"], rows))

        The TUI tells the poller which rows are on screen or marked: a short listing goes only as deep as the last \
        of those that is active, and the active operations deeper in the history are refreshed by the complete \
        listing (every 30 s, or as the budget allows). `watch` reports every transition of the project, so its short \
        listings go as deep as the last active operation: every page here.

        Freshness of the rows shown, on \(freshnessSize) operations placed the same way: the poller told that the \
        subscriber shows the \(context.size(150, quick: 30)) operations that finish and the \(context.size(60, quick: 15)) \
        that are cancelled (as the TUI does for the rows on screen and the marked ones), measured as in scenario 4.

        \(markdownTable(["Transitions", "p50", "p99", "max"], [
            ["state changes (\(plain.count))", Figure.seconds(plain.median), Figure.seconds(plain.percentile(99)), Figure.seconds(plain.maximum)],
            ["cancelled rows (\(cancelled.count))", Figure.seconds(cancelled.median), Figure.seconds(cancelled.percentile(99)), Figure.seconds(cancelled.maximum)],
        ]))
        """
        return ScenarioReport(title: "8. Active operations deep in the history", body: body, targets: targets)
    }

    private struct Idle {
        var name: String
        var requestsPerSecond: Double
        var cpu: Double
        var memory: (rss: Double, peak: Double)
    }

    /// The TUI (keeping its history, as by default; and, when asked, with `--no-history`), then `watch`, each alone
    /// against the emulator: warmed up, then measured while idle.
    private static func measureIdle(_ context: BenchContext, emulator: BenchEmulator, count: Int, idleWindow: Double,
                                    alsoWithoutHistory: Bool) async throws -> [Idle] {
        let listingSeconds = max(2, Double((count + 999) / 1000) / 10 * 2)
        func idleTUI(_ name: String, arguments: [String]) async throws -> Idle {
            let tmux = try TmuxSession(columns: 160, rows: 48, command: TerminalScenarios.tuiCommand(context, emulator: emulator, arguments: arguments))
            defer { tmux.close() }
            let screen = try await tmux.waitFor(timeout: 120) { $0.contains("\(count)/\(count)") }
            guard screen.contains("\(count)/\(count)"), let tuiPID = try tmux.commandPID() else {
                throw BenchError("the TUI did not list the project:\n\(screen)")
            }
            return try await measure(name, pid: tuiPID, emulator: emulator, warmUp: listingSeconds * 2.5, window: idleWindow)
        }
        var figures = [try await idleTUI("TUI", arguments: [])]
        if alsoWithoutHistory { figures.append(try await idleTUI("TUI, `--no-history`", arguments: ["--no-history"])) }
        let watchPID = try ChildProcess.start([context.eeops, "watch", "--format", "jsonl"], environment: emulator.eeopsEnvironment(context))
        defer { ChildProcess.stop(watchPID) }
        figures.append(try await measure("`watch`", pid: watchPID, emulator: emulator, warmUp: listingSeconds * 2.5 + 5, window: idleWindow))
        return figures
    }

    private static func measure(_ name: String, pid: pid_t, emulator: BenchEmulator, warmUp: Double, window: Double) async throws -> Idle {
        try await Task.sleep(for: .seconds(warmUp))
        let requestsBefore = try await emulator.statistics()["requests"] ?? 0
        let cpuBefore = ProcessProbe.cpuSeconds(of: pid) ?? .nan
        let started = now()
        try await Task.sleep(for: .seconds(window))
        let elapsed = now() - started
        let requests = (try await emulator.statistics()["requests"] ?? 0) - requestsBefore
        let cpu = ((ProcessProbe.cpuSeconds(of: pid) ?? .nan) - cpuBefore) / elapsed
        guard let memory = ProcessProbe.memory(of: pid) else { throw BenchError("\(name) has gone") }
        return Idle(name: name, requestsPerSecond: Double(requests) / elapsed, cpu: cpu, memory: memory)
    }
}
