import EarthEngineOperations
import Foundation

/// Scenario 3: the steady-state request rate of the poller the TUI and `watch` share, with 50 active
/// operations in projects of 1k, 10k and 100k, under the default budget of 10 requests/s.
enum PollingScenario {
    static func run(_ context: BenchContext) async throws -> ScenarioReport {
        let sizes = context.quick ? [1_000, 5_000] : [1_000, 10_000, 100_000]
        let window = context.seconds(60, quick: 6)
        let budget = PollerConfiguration().requestBudget
        var rows: [[String]] = []
        var worst = 0.0
        for size in sizes {
            let (rate, schedule) = try await BenchEmulator.start(operations: size, activeFraction: 50 / Double(size), quota: true).using { emulator in
                try await measure(emulator, window: window)
            }
            worst = max(worst, rate)
            rows.append([
                "\(size)", Figure.number(rate * 60, digits: 0), Figure.number(rate, digits: 2),
                schedule.map {
                    "\($0.pagesPerListing) page\($0.pagesPerListing == 1 ? "" : "s") every \(Figure.seconds($0.interval.seconds))"
                        + ($0.isStretched ? " (stretched)" : "")
                        + ", all \($0.pagesPerCompleteListing) every \(Figure.seconds($0.completeListingInterval.seconds))"
                } ?? "–",
            ])
        }
        let body = """
        Default poller settings (interval 2 s, budget \(Figure.number(budget, digits: 0)) requests/s, pages of 1000), 50 active \
        operations, the quota on. After the first (baseline) listing, requests counted by the emulator over \(Figure.seconds(window)).

        \(markdownTable(["Operations", "Requests/min", "Requests/s", "Schedule the poller reported (shown in the TUI header)"], rows))

        Every 2 s the poller makes a short listing, which stops once every operation that was active has been seen \
        again (here, all on the first page); every 30 s, or less often when the budget requires, it lists the whole \
        project, which also finds deleted operations. The rate stays within the budget whatever the project size.
        """
        return ScenarioReport(title: "3. Polling cost at scale", body: body, targets: [
            .init(scenario: "3. polling", target: "≤ \(Figure.number(budget, digits: 0)) requests/s at any size",
                  measured: "\(Figure.number(worst, digits: 2))/s (largest)", met: worst <= budget * 1.05),
        ])
    }

    /// Requests per second after the baseline, and the last schedule the poller announced.
    private static func measure(_ emulator: BenchEmulator, window: Double) async throws -> (Double, PollSchedule?) {
        let poller = OperationPoller(client: try emulator.client(), project: BenchEmulator.project)
        let listening = Task { () -> PollSchedule? in
            var schedule: PollSchedule?
            for await event in poller.events {
                if case .schedule(let announced) = event { schedule = announced }
            }
            return schedule
        }
        await poller.start()
        // Wait for the baseline listing to complete, then count.
        var baseline = try await emulator.statistics()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            let stats = try await emulator.statistics()
            if stats["listRequests"] ?? 0 > 0, stats["requests"] == baseline["requests"] { break }
            baseline = stats
        }
        let started = now()
        try await Task.sleep(for: .seconds(window))
        let after = try await emulator.statistics()
        let elapsed = now() - started
        await poller.stop()
        let schedule = await listening.value
        return (Double((after["requests"] ?? 0) - (baseline["requests"] ?? 0)) / elapsed, schedule)
    }
}
