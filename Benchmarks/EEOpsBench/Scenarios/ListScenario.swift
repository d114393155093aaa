import EarthEngineOperations
import Foundation

/// Scenario 1: list a 10,000-operation project as JSON lines, against the floor (curl fetching the same
/// pages one after another) and the official Python client's `ee.data.listOperations()`.
enum ListScenario {
    static func run(_ context: BenchContext) async throws -> ScenarioReport {
        let count = context.size(10_000, quick: 2_000)
        return try await BenchEmulator.start(operations: count, activeFraction: 50 / Double(count)).using { emulator in
            try await measure(context, emulator: emulator, count: count)
        }
    }

    private static func measure(_ context: BenchContext, emulator: BenchEmulator, count: Int) async throws -> ScenarioReport {
        let environment = emulator.eeopsEnvironment(context)

        // The page URLs eeops will fetch, for curl.
        var urls: [String] = []
        var token: String?
        let client = try emulator.client()
        repeat {
            var url = "\(emulator.url)/v1/projects/\(BenchEmulator.project)/operations?pageSize=1000"
            if let token { url += "&pageToken=\(token)" }
            urls.append(url)
            token = try await client.listPage(project: BenchEmulator.project, pageSize: 1000, pageToken: token).nextPageToken
        } while token != nil

        // The default keeps the local history (written after the output, only the rows that changed); the same
        // listing into a new history (every row written) and with --no-history show what the history costs.
        let eeopsCommand = [context.eeops, "list", "--format", "jsonl", "--page-size", "1000"]
        let noHistoryCommand = eeopsCommand + ["--no-history"]
        func newHistoryCommand(_ round: Int) -> [String] { eeopsCommand + ["--history", context.scratch + "/list-new-history-\(round).sqlite"] }
        let curlCommand = ["curl", "-sS", "--fail", "-H", "Authorization: Bearer \(BenchEmulator.token)"] + urls
        let summary = context.scratch + "/python-list-summary.txt"
        let pythonCommand = [context.python, context.pythonScript("list_operations.py"), emulator.url, BenchEmulator.project, BenchEmulator.token, summary]
        func pythonSummary() -> (count: Int?, seconds: Double) {
            let fields = ((try? String(contentsOfFile: summary, encoding: .utf8)) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" })
            return (fields.first.flatMap { Int($0) }, fields.count > 1 ? Double(fields[1]) ?? .nan : .nan)
        }

        // Check once that each lists everything, before timing.
        let listed = try await ChildProcess.run(eeopsCommand, environment: environment, captureOutput: true)
        let lines = listed.output.split(separator: "\n").count
        guard listed.status == 0, lines == count else { throw BenchError("eeops list printed \(lines) lines (status \(listed.status)), expected \(count)") }
        let pythonCheck = try await ChildProcess.run(pythonCommand, environment: context.baseEnvironment, captureOutput: true)
        let pythonLines = pythonCheck.output.split(separator: "\n").count
        guard pythonCheck.status == 0, pythonSummary().count == count, pythonLines == count else {
            throw BenchError("the Python client listed \(pythonSummary().count ?? -1) and printed \(pythonLines) (status \(pythonCheck.status)), expected \(count)")
        }

        var eeops = Samples(), curl = Samples(), python = Samples(), pythonCall = Samples(), newHistory = Samples(), noHistory = Samples()
        for round in 0..<context.runs {
            let e = try await ChildProcess.run(eeopsCommand, environment: environment)
            let c = try await ChildProcess.run(curlCommand, environment: context.baseEnvironment)
            let p = try await ChildProcess.run(pythonCommand, environment: context.baseEnvironment)
            let n = try await ChildProcess.run(newHistoryCommand(round), environment: environment)
            let o = try await ChildProcess.run(noHistoryCommand, environment: environment)
            guard e.status == 0, c.status == 0, p.status == 0, n.status == 0, o.status == 0 else {
                throw BenchError("a listing failed: eeops \(e.status), curl \(c.status), python \(p.status), new history \(n.status), no history \(o.status)")
            }
            newHistory.add(n.seconds)
            noHistory.add(o.seconds)
            eeops.add(e.seconds)
            curl.add(c.seconds)
            python.add(p.seconds)
            pythonCall.add(pythonSummary().seconds)
        }
        let pinned = try await pinnedApart(eeopsCommand, curlCommand, context: context, environment: environment)
        let floorRatio = eeops.median / curl.median
        let pythonRatio = python.median / eeops.median
        let body = """
        \(count) operations, \(urls.count) pages of 1000, no quota, no added latency. Each round runs the three \
        one after another; medians of \(context.runs) rounds.

        \(markdownTable(["Command", "Median (min–max)", "vs eeops"], [
            ["`eeops list --format jsonl --page-size 1000` (the history kept, as by default)", Figure.summary(eeops), "1.00×"],
            ["the same into a new history (all \(count) rows written)", Figure.summary(newHistory), Figure.ratio(newHistory.median / eeops.median)],
            ["the same with `--no-history`", Figure.summary(noHistory), Figure.ratio(noHistory.median / eeops.median)],
            ["curl, the same \(urls.count) pages one after another (floor)", Figure.summary(curl), Figure.ratio(curl.median / eeops.median)],
            ["Python: `ee.data.listOperations()`, then each as a JSON line (whole process)", Figure.summary(python), Figure.ratio(pythonRatio)],
            ["Python: the `listOperations()` call alone", Figure.summary(pythonCall), Figure.ratio(pythonCall.median / eeops.median)],
        ]))

        All write the same JSON lines to /dev/null (curl the raw pages). The first eeops row is what users run: the \
        history already holds the project (from the check before timing), and each listing rewrites the rows that \
        changed since, in one transaction after the output. The official client asks for pages of 500 \
        (its `_TASKLIST_PAGE_SIZE`), so it makes twice as many requests.

        \(pinned)
        """
        return ScenarioReport(title: "1. List \(count) operations", body: body, targets: [
            .init(scenario: "1. list", target: "≤ 1.5× the curl floor, history on", measured: Figure.ratio(floorRatio), met: floorRatio <= 1.5),
            .init(scenario: "1. list", target: "≥ 5× faster than the Python client", measured: Figure.ratio(pythonRatio), met: pythonRatio >= 5),
        ])
    }

    /// eeops and curl again, with the emulator (this process) held to the first core and the client to the second:
    /// what the client costs when it does not share the cores with the server. An explanation of the figures
    /// above, not the target's measurement; empty on a machine with one core or without `taskset`.
    private static func pinnedApart(_ eeopsCommand: [String], _ curlCommand: [String], context: BenchContext,
                                    environment: [String: String]) async throws -> String {
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let harness = String(getpid())
        guard cores >= 2, try await ChildProcess.run(["taskset", "-a", "-p", "-c", "0", harness], environment: context.baseEnvironment).status == 0 else {
            return ""
        }
        var eeops = Samples(), curl = Samples()
        var failure: (any Error)?
        do {
            for _ in 0..<context.runs {
                let e = try await ChildProcess.run(["taskset", "-c", "1"] + eeopsCommand, environment: environment)
                let c = try await ChildProcess.run(["taskset", "-c", "1"] + curlCommand, environment: context.baseEnvironment)
                guard e.status == 0, c.status == 0 else { throw BenchError("a pinned listing failed: eeops \(e.status), curl \(c.status)") }
                eeops.add(e.seconds)
                curl.add(c.seconds)
            }
        } catch {
            failure = error
        }
        // The harness gets every core back, whether the runs succeeded or not.
        _ = try? await ChildProcess.run(["taskset", "-a", "-p", "-c", "0-\(cores - 1)", harness], environment: context.baseEnvironment)
        if let failure { throw failure }
        return """
        The same two with the server and the client kept apart: the emulator (this harness) on core 0 and the client \
        on core 1 (`taskset`). On this \(cores)-core machine the figures above have the client's decoding and the \
        emulator's page-building compete for the cores; these show the client's own cost. They explain the target, \
        which is measured above.

        \(markdownTable(["Pinned apart", "Median (min–max)", "vs eeops"], [
            ["`eeops list --format jsonl --page-size 1000`", Figure.summary(eeops), "1.00×"],
            ["curl, the same pages (floor)", Figure.summary(curl), Figure.ratio(curl.median / eeops.median)],
        ]))

        Pinned apart, eeops takes \(Figure.ratio(eeops.median / curl.median)) the floor's time.
        """
    }
}
