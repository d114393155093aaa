import EarthEngineOperations
import Foundation

/// Scenario 4: from a state change on the emulator to the poller's event reaching its subscriber (what the
/// TUI's event loop receives), over many transitions; separately for operations the user cancelled, which
/// the poller follows every second.
enum FreshnessScenario {
    static func run(_ context: BenchContext) async throws -> ScenarioReport {
        let sizes = context.quick ? [1_000] : [1_000, 10_000]
        let transitions = context.size(150, quick: 30)
        let cancels = context.size(60, quick: 15)
        let interval = PollerConfiguration().interval.seconds
        var rows: [[String]] = []
        var targets: [ScenarioReport.Target] = []
        for size in sizes {
            let (plain, cancelled) = try await BenchEmulator.start(operations: size, activeFraction: 0) { $0.cancelDelay = .milliseconds(1500) }
                .using { emulator in try await measure(emulator, transitions: transitions, cancels: cancels) }
            rows.append(["\(size)", "state changes (\(plain.count))", Figure.seconds(plain.median), Figure.seconds(plain.percentile(99)), Figure.seconds(plain.maximum)])
            rows.append(["\(size)", "cancelled rows (\(cancelled.count))", Figure.seconds(cancelled.median), Figure.seconds(cancelled.percentile(99)), Figure.seconds(cancelled.maximum)])
            targets.append(.init(scenario: "4. freshness", target: "p99 ≤ interval + 100 ms (\(size) ops)", measured: Figure.seconds(plain.percentile(99)),
                                 met: plain.percentile(99) <= interval + 0.1))
            targets.append(.init(scenario: "4. freshness", target: "cancelled rows p99 ≤ 1.2 s (\(size) ops)", measured: Figure.seconds(cancelled.percentile(99)),
                                 met: cancelled.percentile(99) <= 1.2))
        }
        let body = """
        The poller with its default settings (a listing every \(Figure.seconds(interval)), short unless 30 s have passed since the last complete one; cancelled operations every second). \
        Operations created to finish at staggered times over the run give the state changes; others are cancelled one by one \
        (CANCELLED 1.5 s after the request) and handed to the poller to follow, as the TUI does. Latency is the time from the \
        change on the emulator (the operation's `endTime`) to the event reaching the subscriber.

        \(markdownTable(["Operations", "Transitions", "p50", "p99", "max"], rows))
        """
        return ScenarioReport(title: "4. Freshness", body: body, targets: targets)
    }

    /// Latencies of the state changes and of the cancelled rows. With `shown`, the poller is told that the
    /// subscriber shows the operations measured (as the TUI tells it of the rows on screen and the marked ones).
    static func measure(_ emulator: BenchEmulator, transitions: Int, cancels: Int, shown: Bool = false) async throws -> (Samples, Samples) {
        let client = try emulator.client()
        let poller = OperationPoller(client: client, project: BenchEmulator.project)
        let spread = Double(transitions) * 0.2
        // Finishing ones: every 0.2 s, starting 3 s from now. Cancelled ones: run long, cancel on cue.
        var finishing: Set<String> = []
        for index in 0..<transitions {
            finishing.insert(try await emulator.create(["runSeconds": 3 + Double(index) * 0.2 + Double.random(in: 0..<0.2), "cancel": "cancels"]))
        }
        var toCancel: [String] = []
        for _ in 0..<cancels { toCancel.append(try await emulator.create(["runSeconds": 3600, "cancel": "cancels"])) }
        let watched = finishing.union(toCancel)
        if shown { poller.setFocus(watched) }

        let collector = Task { () -> (Samples, Samples) in
            var plain = Samples(), cancelled = Samples()
            var pending = watched
            for await event in poller.events {
                let received = Date()
                let changes: [StateTransition]
                switch event {
                case .refreshed(_, let list, _): changes = list
                default: continue
                }
                for change in changes where pending.contains(change.name) && change.to?.isTerminal == true {
                    guard let end = change.operation.metadata?.endTime else { continue }
                    pending.remove(change.name)
                    let latency = received.timeIntervalSince(end)
                    if change.to == .cancelled { cancelled.add(latency) } else { plain.add(latency) }
                }
                if pending.isEmpty { break }
            }
            return (plain, cancelled)
        }
        await poller.start()
        // Cancel one every spread/cancels seconds, while the others finish.
        let gap = spread / Double(max(1, cancels))
        try await Task.sleep(for: .seconds(2))
        for name in toCancel {
            guard let operationName = OperationName(validating: name) else { continue }
            try await client.cancel(operationName)
            await poller.track([operationName])
            try await Task.sleep(for: .seconds(gap))
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(spread + 30))
            await poller.stop()
        }
        let result = await collector.value
        timeout.cancel()
        await poller.stop()
        guard result.0.count + result.1.count >= watched.count * 9 / 10 else {
            throw BenchError("the poller reported \(result.0.count + result.1.count) of \(watched.count) transitions")
        }
        return result
    }
}
