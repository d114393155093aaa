import ArgumentParser
import Foundation

/// Progress on standard error.
func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// `eeops-bench`: the harness that runs eeops as a user would, against an emulator it starts itself:
/// the performance scenarios (`make bench`) and the soak run (`make soak`).
@main
struct EEOpsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eeops-bench",
        abstract: "Benchmarks and the soak run of eeops, against an in-process emulator.",
        subcommands: [ScenariosCommand.self, SoakCommand.self],
        defaultSubcommand: ScenariosCommand.self
    )
}

/// `eeops-bench scenarios`: every performance scenario side by side in one run; writes docs/benchmark-results.md.
struct ScenariosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Measure eeops against the floor and the official tools, and write the report.",
        discussion: "Use `make bench` (release build, sets up the official Python client). `--quick` is the small CI smoke run."
    )

    @Option(help: "The eeops binary measured (a release build).")
    var eeops = ".build/release/eeops"

    @Option(help: "Python of the virtual environment with earthengine-api.")
    var python = ".venv/bin/python"

    @Option(help: "Runs of each measurement.")
    var runs = 5

    @Option(name: .customLong("slow-runs"), help: "Runs of the official CLI's cancel (slow: minutes each).")
    var slowRuns = 2

    @Flag(help: "A small, quick run of every scenario (CI smoke): smaller projects, shorter windows, 1 run.")
    var quick = false

    @Option(help: "Scenarios to run (comma-separated): list, cancel, polling, freshness, ui, startup, footprint, deep.")
    var only: String?

    @Option(help: "Where to write the report (Markdown).")
    var output = "docs/benchmark-results.md"

    func run() async throws {
        let all = ["list", "cancel", "polling", "freshness", "ui", "startup", "footprint", "deep"]
        let chosen = only.map { $0.split(separator: ",").map(String.init) } ?? all
        if let unknown = chosen.first(where: { !all.contains($0) }) { throw ValidationError("unknown scenario '\(unknown)': expected \(all.joined(separator: ", "))") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("eeops-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: scratch + "/home", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let eeopsPath = URL(fileURLWithPath: eeops).standardizedFileURL.path
        let pythonPath = URL(fileURLWithPath: python).path
        guard FileManager.default.isExecutableFile(atPath: eeopsPath) else { throw ValidationError("no eeops binary at \(eeopsPath) (make release)") }
        let context = BenchContext(
            eeops: eeopsPath, python: pythonPath, earthengine: URL(fileURLWithPath: pythonPath).deletingLastPathComponent().appendingPathComponent("earthengine").path,
            runs: quick ? 1 : max(1, runs), slowRuns: quick ? 1 : max(1, slowRuns), quick: quick, scratch: scratch
        )
        let scenarios: [(String, (BenchContext) async throws -> ScenarioReport)] = [
            ("list", ListScenario.run), ("cancel", CancelScenario.run), ("polling", PollingScenario.run), ("freshness", FreshnessScenario.run),
            ("ui", FrameScenario.run), ("startup", TerminalScenarios.startup), ("footprint", TerminalScenarios.footprint),
            ("deep", DeepQueueScenario.run),
        ]
        var reports: [ScenarioReport] = []
        let started = Date()
        for (name, scenario) in scenarios where chosen.contains(name) {
            log("running \(name)…")
            let scenarioStarted = now()
            let report = try await scenario(context)
            reports.append(report)
            for target in report.targets { log("  \(target.target): \(target.measured) — \(target.met ? "met" : "MISSED")") }
            log("  (\(Figure.seconds(now() - scenarioStarted)))")
        }
        let document = Self.document(reports, context: context, started: started, elapsed: Date().timeIntervalSince(started), command: CommandLine.arguments)
        try Data(document.utf8).write(to: URL(fileURLWithPath: output))
        log("wrote \(output)")
    }


    static func document(_ reports: [ScenarioReport], context: BenchContext, started: Date, elapsed: Double, command: [String]) -> String {
        let targets = reports.flatMap(\.targets)
        var text = """
        # Benchmark results

        Written by `make bench`; `docs/benchmarks.md` explains the scenarios, the misses and what was changed. \
        `eeops-bench` (release build) starts the emulator itself on loopback and runs every scenario side by side in \
        one run. Figures are medians of several runs with their range; ratios compare \
        figures of the same run. The machines are shared and noisy: compare ratios, not absolute times, across runs.
        \(context.quick ? "\n**This is a quick smoke run (`--quick`): small projects, one run. The figures are not the benchmark.**\n" : "")
        ## Machine and run

        \(markdownTable(["", ""], machineRows() + [
            ["Command", "`\(command.joined(separator: " "))` (via `make bench`)"],
            ["Date", ISO8601DateFormatter().string(from: started)],
            ["Duration", Figure.seconds(elapsed)],
            ["Runs", "\(context.runs) per measurement (\(context.slowRuns) for the official CLI's cancel)"],
        ]))

        ## Targets (issue 5)

        \(markdownTable(["Scenario", "Target", "Measured", "Verdict"], targets.map { [$0.scenario, $0.target, $0.measured, Figure.verdict($0.met)] }))

        """
        for report in reports { text += "\n## \(report.title)\n\n\(report.body)\n" }
        return text
    }

    private static func machineRows() -> [[String]] {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
        let memory = ProcessInfo.processInfo.physicalMemory / 1_073_741_824
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return [
            ["CPU", "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores"],
            ["Memory", "\(memory) GiB"],
            ["Kernel", "Linux \(kernel)"],
        ]
    }
}
