import EarthEngineOperations
import Foundation
import TestSupport

/// Scenarios 6 and 7: the TUI in a real terminal (tmux). Start-up: from launch to the first row on screen, and
/// to the whole project listed. Footprint: resident memory after warm-up, and CPU while idle.
enum TerminalScenarios {
    static func startup(_ context: BenchContext) async throws -> ScenarioReport {
        let count = context.size(10_000, quick: 2_000)
        return try await BenchEmulator.start(operations: count, activeFraction: 50 / Double(count)).using { emulator in
            let newest = try await emulator.client().listPage(project: BenchEmulator.project, pageSize: 1).operations.first.map { String($0.shortID.prefix(9)) } ?? ""
            let tmux = try TmuxSession(columns: 160, rows: 48, command: "true")
            defer { tmux.close() }
            var firstRow = Samples(), complete = Samples(), fromHistory = Samples(), completeWithHistory = Samples()
            // The server's path (no history to draw from), then the default, whose history holds the project from
            // the launch before (the first one, untimed, fills it).
            let command = tuiCommand(context, emulator: emulator, arguments: ["--no-history"])
            let historyCommand = tuiCommand(context, emulator: emulator)
            _ = try await launch(tmux, historyCommand, count: count, first: { _ in false })
            for _ in 0..<context.runs {
                let server = try await launch(tmux, command, count: count, first: { $0.contains(newest) })
                guard let first = server.first else { throw BenchError("the TUI showed no row within 30 s:\n\(try tmux.screen())") }
                firstRow.add(first)
                if let all = server.complete { complete.add(all) }
                // The rows from the history: the header says so, and the table's first row is drawn. The listing is
                // complete once the header no longer says so.
                let store = try await launch(tmux, historyCommand, count: count, first: { screen in
                    let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                    return screen.contains("rows from history") && lines.count > 3 && !lines[3].allSatisfy { $0 == " " }
                }, complete: { !$0.contains("from history") })
                guard let first = store.first else { throw BenchError("the TUI drew no row from its history within 30 s:\n\(try tmux.screen())") }
                fromHistory.add(first)
                if let all = store.complete { completeWithHistory.add(all) }
            }
            let body = """
            The TUI (release build) launched in a running tmux pane (160×48) against a \(count)-operation project; the \
            screen is read with `capture-pane` in a loop (a few ms per read, which the figures include). With \
            `--no-history` the first page is drawn as soon as it arrives; by default the rows the local history holds \
            (its newest 2,000, from the launch before) are drawn at once, marked "rows from history", and \
            replaced as the pages arrive. The header's count reaches \(count)/\(count) when the last page is in.

            \(markdownTable(["Milestone", "Median (min–max)"], [
                ["first row on screen, from the server (`--no-history`)", Figure.summary(firstRow)],
                ["all \(count) listed (`--no-history`)", Figure.summary(complete)],
                ["first frame from the local history (default)", Figure.summary(fromHistory)],
                ["all \(count) listed (default, the history written as pages arrive)", Figure.summary(completeWithHistory)],
            ]))
            """
            return ScenarioReport(title: "6. Start-up", body: body, targets: [
                .init(scenario: "6. start-up", target: "first row ≤ 250 ms (\(count) ops)", measured: Figure.seconds(firstRow.median), met: firstRow.median <= 0.25),
            ])
        }
    }

    static func footprint(_ context: BenchContext) async throws -> ScenarioReport {
        let sizes = context.quick ? [2_000] : [10_000, 100_000]
        let idleWindow = context.seconds(30, quick: 6)
        var rows: [[String]] = []
        var targets: [ScenarioReport.Target] = []
        for size in sizes {
            let figures = try await BenchEmulator.start(operations: size, activeFraction: 50 / Double(size)).using { emulator in
                try await measureFootprint(context, emulator: emulator, count: size, idleWindow: idleWindow)
            }
            rows.append(["\(size)", "TUI", Figure.megabytes(figures.tui.rss), Figure.megabytes(figures.tui.peak), Figure.percent(figures.tuiCPU)])
            rows.append(["\(size)", "`watch`", Figure.megabytes(figures.watch.rss), Figure.megabytes(figures.watch.peak), Figure.percent(figures.watchCPU)])
            let limit = size <= 10_000 ? 50.0 : 300.0
            let worst = max(figures.tui.rss, figures.watch.rss) * 1024 / 1_000_000
            targets.append(.init(scenario: "7. footprint", target: "resident ≤ \(Int(limit)) MB (\(size) ops)", measured: String(format: "%.1f MB", worst), met: worst <= limit))
            if size == sizes[0] {
                let cpu = max(figures.tuiCPU, figures.watchCPU)
                targets.append(.init(scenario: "7. footprint", target: "idle CPU ≤ 1% of a core (\(size) ops, 2 s interval)", measured: Figure.percent(cpu), met: cpu <= 0.01))
            }
        }
        let body = """
        The TUI in tmux (160×48) and `eeops watch --format jsonl` (output to /dev/null), each against a project with 50 \
        active operations and the default 2 s interval. Resident memory (`VmRSS` from /proc) after the first listing and \
        two more, its peak (`VmHWM`), and CPU time (user + system from /proc) over the following \(Figure.seconds(idleWindow)) \
        with no key pressed, as a share of one core.

        \(markdownTable(["Operations", "Program", "Resident after warm-up", "Peak", "CPU while idle"], rows))
        """
        return ScenarioReport(title: "7. Footprint", body: body, targets: targets)
    }

    private struct Footprint {
        var tui: (rss: Double, peak: Double)
        var tuiCPU: Double
        var watch: (rss: Double, peak: Double)
        var watchCPU: Double
    }

    private static func measureFootprint(_ context: BenchContext, emulator: BenchEmulator, count: Int, idleWindow: Double) async throws -> Footprint {
        let tmux = try TmuxSession(columns: 160, rows: 48, command: tuiCommand(context, emulator: emulator))
        defer { tmux.close() }
        let screen = try await tmux.waitFor(timeout: 120) { $0.contains("\(count)/\(count)") }
        guard screen.contains("\(count)/\(count)"), let tuiPID = try tmux.commandPID() else { throw BenchError("the TUI did not list the project:\n\(screen)") }
        let watchPID = try ChildProcess.start([context.eeops, "watch", "--format", "jsonl"], environment: emulator.eeopsEnvironment(context))
        defer { ChildProcess.stop(watchPID) }
        // Warm-up: two more listings after the first.
        let listingSeconds = max(2, Double((count + 999) / 1000) / 10 * 2)
        try await Task.sleep(for: .seconds(listingSeconds * 2.5))
        let tuiCPUStart = ProcessProbe.cpuSeconds(of: tuiPID) ?? .nan, watchCPUStart = ProcessProbe.cpuSeconds(of: watchPID) ?? .nan
        let started = now()
        try await Task.sleep(for: .seconds(idleWindow))
        let elapsed = now() - started
        let tuiCPU = ((ProcessProbe.cpuSeconds(of: tuiPID) ?? .nan) - tuiCPUStart) / elapsed
        let watchCPU = ((ProcessProbe.cpuSeconds(of: watchPID) ?? .nan) - watchCPUStart) / elapsed
        guard let tuiMemory = ProcessProbe.memory(of: tuiPID), let watchMemory = ProcessProbe.memory(of: watchPID) else {
            throw BenchError("a measured process has gone")
        }
        return Footprint(tui: tuiMemory, tuiCPU: tuiCPU, watch: watchMemory, watchCPU: watchCPU)
    }

    /// A shell command line that starts the TUI against the emulator.
    static func tuiCommand(_ context: BenchContext, emulator: BenchEmulator, arguments: [String] = []) -> String {
        let environment = emulator.eeopsEnvironment(context).map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        return "env -i \(environment) '\(context.eeops)'" + arguments.map { " '\($0)'" }.joined()
    }

    /// Launches `command` in the pane and reads the screen until the whole project is listed and `complete` holds
    /// (or 30 s pass): the seconds until `first` held, and until then.
    private static func launch(_ tmux: TmuxSession, _ command: String, count: Int, first: (String) -> Bool,
                               complete: (String) -> Bool = { _ in true }) async throws -> (first: Double?, complete: Double?) {
        let started = now()
        try tmux.tmux(["respawn-pane", "-k", "-t", "main", command])
        var firstSeen: Double?
        let deadline = started + 30
        while now() < deadline {
            let screen = try tmux.screen()
            if firstSeen == nil, first(screen) { firstSeen = now() - started }
            if screen.contains("\(count)/\(count)"), complete(screen) { return (firstSeen, now() - started) }
        }
        return (firstSeen, nil)
    }
}
