import EarthEngineOperations
import Foundation
import OperationsTUI

/// Scenario 5: the cost of a frame (the reducer's event, the headless view, and the diff sent to ncurses on a
/// /dev/null terminal) with 10,000 and 100,000 rows at 80×24 and 200×60; and filtering and sorting 100,000 rows.
enum FrameScenario {
    static func run(_ context: BenchContext) async throws -> ScenarioReport {
        let total = context.size(100_000, quick: 20_000)
        let operations = try await BenchEmulator.start(operations: total, activeFraction: 0.01).using { emulator in
            var all: [LongRunningOperation] = []
            try await emulator.client().listAll(project: BenchEmulator.project) { all += $0 }
            return all
        }
        let frames = context.size(500, quick: 50)
        var rows: [[String]] = []
        var worstMedian = 0.0
        var medianBySize: [Int: Double] = [:]
        for count in [context.size(10_000, quick: 2_000), total] {
            for (columns, lines) in [(80, 24), (200, 60)] {
                let (render, draw, total) = try measureFrames(Array(operations.prefix(count)), columns: columns, rows: lines, frames: frames)
                worstMedian = max(worstMedian, total.median)
                if columns == 200 { medianBySize[count] = total.median }
                rows.append(["\(count)", "\(columns)×\(lines)", Figure.seconds(render.median), Figure.seconds(draw.median),
                             Figure.seconds(total.median), Figure.seconds(total.percentile(99))])
            }
        }
        let (queryRows, worstQuery, regexQuery, keystroke, extraction) = measureQueries(operations, runs: context.size(15, quick: 3))
        let body = """
        Each frame applies one event to the state (a cursor move, and every fifth frame a clock tick that changes the ages), \
        draws the whole screen into a cell grid (`AppView.render`), then sends the rows that changed to ncurses and refreshes \
        (`CursesTerminal.draw`, on a terminal whose output is /dev/null). \(frames) frames per case, after one full first frame.

        \(markdownTable(["Rows", "Screen", "View (median)", "Diff to ncurses (median)", "Frame (median)", "Frame (p99)"], rows))

        Filtering and sorting all \(operations.count) rows (`TableQuery.apply` on the rows the reducer keeps between refreshes, \
        medians of \(context.size(15, quick: 3)) runs); extracting those rows again after a refresh took \(Figure.seconds(extraction)):

        \(markdownTable(["Query", "Median"], queryRows))

        A key typed into the filter (`/` then text) re-filters on every key: median \(Figure.seconds(keystroke)) per key with \(operations.count) rows.
        """
        let growth = (medianBySize[total] ?? .nan) / (medianBySize[context.size(10_000, quick: 2_000)] ?? .nan)
        return ScenarioReport(title: "5. The UI itself", body: body, targets: [
            .init(scenario: "5. UI", target: "frame median ≤ 1 ms", measured: "\(Figure.seconds(worstMedian)) (worst case)", met: worstMedian <= 0.001),
            .init(scenario: "5. UI", target: "frame cost follows visible rows, not total", measured: "\(Figure.ratio(growth)) from \(context.size(10_000, quick: 2_000)) to \(total) rows at 200×60",
                  met: growth < 2),
            .init(scenario: "5. UI", target: "filter/sort \(total) rows ≤ 50 ms", measured: "\(Figure.seconds(worstQuery)) (slowest text filter or sort)", met: worstQuery <= 0.05),
            .init(scenario: "5. UI", target: "… with a regular expression", measured: Figure.seconds(regexQuery), met: regexQuery <= 0.05),
        ])
    }

    static func state(_ operations: [LongRunningOperation], columns: Int, rows: Int) -> AppState {
        let settings = AppState.Settings(projects: [BenchEmulator.project], endpoint: "http://127.0.0.1:8080", apiVersion: "v1", authSource: "EEOPS_ACCESS_TOKEN")
        var state = AppState(settings: settings, size: TerminalSize(columns: columns, rows: rows))
        _ = Reducer.reduce(&state, .poller(.initialPage(operations)))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Date())))
        return state
    }

    private static func measureFrames(_ operations: [LongRunningOperation], columns: Int, rows: Int, frames: Int) throws -> (Samples, Samples, Samples) {
        var state = state(operations, columns: columns, rows: rows)
        // The TUI's locale (`eeops tui` takes it from the environment, and needs UTF-8 to draw more than ASCII).
        setlocale(LC_ALL, "C.UTF-8")
        setenv("COLUMNS", "\(columns)", 1)
        setenv("LINES", "\(rows)", 1)
        setenv("TERM", "xterm-256color", 1)
        let output = open("/dev/null", O_WRONLY), input = open("/dev/null", O_RDONLY)
        let terminal = CursesTerminal(options: .init(theme: .default, mouse: false))
        let size = try terminal.start(output: output, input: input)
        defer { terminal.stop() }
        guard size == state.size else { throw BenchError("ncurses took the size \(size), expected \(state.size)") }
        terminal.draw(AppView.render(state))
        var render = Samples(), draw = Samples(), total = Samples()
        var clock = state.now
        for frame in 0..<frames {
            let started = now()
            if frame % 5 == 4 {
                clock += 1
                _ = Reducer.reduce(&state, .tick(clock))
            } else {
                _ = Reducer.reduce(&state, .key(.down))
            }
            let viewStarted = now()
            let screen = AppView.render(state)
            let drawStarted = now()
            terminal.draw(screen)
            let ended = now()
            render.add(drawStarted - viewStarted)
            draw.add(ended - drawStarted)
            total.add(ended - started)
        }
        return (render, draw, total)
    }

    /// The table of queries, the slowest plain-text filter or sort, the regular expression, a typed key, and
    /// extracting the rows after a refresh (medians).
    private static func measureQueries(_ operations: [LongRunningOperation], runs: Int) -> ([[String]], Double, Double, Double, Double) {
        let base = state(operations, columns: 200, rows: 60)
        var rows: [[String]] = []
        var worst = 0.0, regex = Double.nan
        let cases: [(String, TableQuery)] = [
            ("filter `export` (id, type, description)", TableQuery(filterText: "export", activeOnly: false, sortKey: .age, ascending: false)),
            ("filter `a.*b` (regular expression)", TableQuery(filterText: "a.*b", activeOnly: false, sortKey: .age, ascending: false)),
            ("active only", TableQuery(filterText: "", activeOnly: true, sortKey: .age, ascending: false)),
            ("states FAILED and CANCELLED", TableQuery(filterText: "", activeOnly: false, states: [.failed, .cancelled], sortKey: .age, ascending: false)),
        ] + AppState.SortKey.allCases.map { ("sort by \($0.rawValue)", TableQuery(filterText: "", activeOnly: false, sortKey: $0, ascending: true)) }
        for (label, query) in cases {
            var samples = Samples()
            var shown = 0
            for _ in 0..<runs {
                let started = now()
                shown = query.apply(base.tableRows).names.count
                samples.add(now() - started)
            }
            if label.contains("regular expression") { regex = samples.median } else { worst = max(worst, samples.median) }
            rows.append(["\(label) → \(shown) rows", Figure.seconds(samples.median)])
        }
        var typing = base
        _ = Reducer.reduce(&typing, .key(.character("/")))
        var keystrokes = Samples()
        for character in "export_image" {
            let started = now()
            _ = Reducer.reduce(&typing, .key(.character(character)))
            keystrokes.add(now() - started)
        }
        var extraction = Samples()
        for _ in 0..<runs {
            let started = now()
            _ = TableRows(base.serverOrder.compactMap(base.operation(named:)))
            extraction.add(now() - started)
        }
        return (rows, worst, regex, keystrokes.median, extraction.median)
    }
}
