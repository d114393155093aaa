import EarthEngineOperations
import Foundation

/// Scenario 2: cancel 1,000 running operations with the API's quotas on (100 requests/s, 40 in flight) and
/// 100 ms of server latency: `eeops cancel --all --yes` against the quota floor and the official CLI's
/// `earthengine task cancel all`. Every run gets a fresh emulator.
enum CancelScenario {
    static func run(_ context: BenchContext) async throws -> ScenarioReport {
        let count = context.size(1_000, quick: 200)
        let officialCount = context.size(1_000, quick: 50)
        let floor = Double(count) / 100 // the quota: 100 requests per second

        var eeops = Samples(), eeops429 = Samples(), official = Samples()
        var sent = 0
        for _ in 0..<context.runs {
            let (seconds, stats, active) = try await BenchEmulator.start(operations: 0, latency: .milliseconds(100), quota: true)
                .using { emulator -> (Double, [String: Int], Int) in
                    try await createRunning(count, in: emulator)
                    let active = try await activeCount(emulator)
                    let before = try await emulator.statistics()
                    let result = try await ChildProcess.run([context.eeops, "cancel", "--all", "--yes", "--format", "jsonl"],
                                                            environment: emulator.eeopsEnvironment(context))
                    guard result.status == 0 || result.status == 1 else { throw BenchError("eeops cancel --all exited with \(result.status)") }
                    let after = try await emulator.statistics()
                    return (result.seconds, after.merging(before) { $0 - $1 }, active)
                }
            eeops.add(seconds)
            eeops429.add(Double(stats["rateLimited"] ?? 0))
            sent = stats["cancelRequests"] ?? 0
            guard sent >= active * 9 / 10 else { throw BenchError("eeops sent \(sent) cancels for \(active) active operations") }
        }
        for _ in 0..<context.slowRuns {
            let key = context.scratch + "/service-account.json"
            let seconds = try await BenchEmulator.start(operations: 0, latency: .milliseconds(100), quota: true,
                                                        serviceAccountKeyPath: key).using { emulator -> Double in
                try await createRunning(officialCount, in: emulator)
                let config = context.scratch + "/ee-config.json"
                try Data("{\"url\": \"\(emulator.url)\", \"project\": \"\(BenchEmulator.project)\"}".utf8).write(to: URL(fileURLWithPath: config))
                let result = try await ChildProcess.run([context.earthengine, "--ee_config", config, "--service_account_file", key, "task", "cancel", "all"],
                                                        environment: context.baseEnvironment)
                guard result.status == 0 else { throw BenchError("earthengine task cancel all exited with \(result.status)") }
                let stats = try await emulator.statistics()
                guard (stats["cancelRequests"] ?? 0) >= officialCount * 9 / 10 else { throw BenchError("the official CLI sent \(stats["cancelRequests"] ?? 0) cancels") }
                return result.seconds
            }
            official.add(seconds * Double(count) / Double(officialCount))
        }
        let floorRatio = eeops.median / floor
        let officialRatio = official.median / eeops.median
        let scaled = officialCount == count ? "" : " (measured on \(officialCount) operations and scaled to \(count): it cancels one at a time, so its time grows linearly)"
        let body = """
        \(count) RUNNING operations (none finishes during a run); the emulator enforces 100 requests/s and 40 in flight per project \
        and adds 100 ms to every answer. The quota floor is \(count) requests ÷ 100/s = \(Figure.seconds(floor)).

        \(markdownTable(["Command", "Median (min–max)", "429 answers", "vs eeops"], [
            ["`eeops cancel --all --yes`", Figure.summary(eeops), Figure.number(eeops429.median, digits: 0) + " (max \(Int(eeops429.maximum)))", "1.00×"],
            ["quota floor", Figure.seconds(floor), "–", Figure.ratio(floor / eeops.median)],
            ["`earthengine task cancel all`\(scaled)", Figure.summary(official), "–", Figure.ratio(officialRatio)],
        ]))
        """
        return ScenarioReport(title: "2. Cancel \(count) running operations under the quota", body: body, targets: [
            .init(scenario: "2. cancel", target: "≤ 1.2× the quota floor", measured: Figure.ratio(floorRatio), met: floorRatio <= 1.2),
            .init(scenario: "2. cancel", target: "zero 429 answers", measured: "\(Int(eeops429.maximum)) (worst run)", met: eeops429.maximum == 0),
            .init(scenario: "2. cancel", target: "≥ 10× faster than the official CLI", measured: Figure.ratio(officialRatio), met: officialRatio >= 10),
        ])
    }

    /// Operations that run for two hours: none finishes during a run, so every cancel is accepted (the official
    /// CLI stops at the first cancel the server refuses).
    private static func createRunning(_ count: Int, in emulator: BenchEmulator) async throws {
        for index in 0..<count { try await emulator.create(["runSeconds": 7200, "cancel": "cancels", "description": "bench operation \(index)"]) }
    }

    private static func activeCount(_ emulator: BenchEmulator) async throws -> Int {
        var active = 0
        try await emulator.client().listAll(project: BenchEmulator.project) { page in active += page.filter { $0.state.isActive }.count }
        return active
    }
}
