import EarthEngineOperations
import Foundation
import OperationsEmulator
import Testing

@Suite("The poller shared by the TUI and watch")
struct PollerTests {
    /// Collects events until `condition` holds over all transitions seen so far, or fails after `seconds`.
    func transitions(from poller: OperationPoller, within seconds: Double, until condition: @escaping @Sendable ([StateTransition]) -> Bool,
                     while action: @escaping @Sendable () async throws -> Void) async throws -> [StateTransition] {
        let collector = Task {
            var seen: [StateTransition] = []
            for await event in poller.events {
                switch event {
                case .snapshot(_, let transitions, _), .refreshed(_, let transitions, _): seen += transitions
                default: break
                }
                if condition(seen) { return seen }
            }
            return seen
        }
        try await action()
        let timeout = Task {
            try await Task.sleep(for: .seconds(seconds))
            await poller.stop()
        }
        let seen = await collector.value
        timeout.cancel()
        return seen
    }

    @Test func trackedCancelIsSeenGoingCancellingThenCancelled() async throws {
        let server = try await TestEmulator.start(operations: 40)
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create(["id": "TRACKED", "cancel": "cancels"])
        let poller = OperationPoller(client: client, project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .seconds(30), trackedInterval: .milliseconds(100)))
        await poller.start()
        let seen = try await transitions(from: poller, within: 10, until: { seen in seen.contains { $0.to == .cancelled } }) {
            try await Task.sleep(for: .milliseconds(300)) // the first listing is the baseline
            #expect(await client.requestCancel(name) == .requested)
            await poller.track([name])
            try await Task.sleep(for: .milliseconds(400))
            try await server.advance(seconds: 5)
        }
        await poller.stop()
        let mine = seen.filter { $0.name == name.description }
        #expect(mine.map(\.to) == [.cancelling, .cancelled])
        #expect(mine.first?.from == .running)
    }

    @Test func listingReportsNewAndVanishedOperations() async throws {
        let server = try await TestEmulator.start(operations: 5)
        defer { Task { await server.stop() } }
        let client = try server.client()
        let doomed = try await server.create(["id": "DOOMED"])
        let poller = OperationPoller(client: client, project: TestEmulator.project, configuration: PollerConfiguration(interval: .milliseconds(200)))
        await poller.start()
        let seen = try await transitions(from: poller, within: 10, until: { seen in
            seen.contains { $0.from == nil } && seen.contains { $0.to == nil }
        }) {
            try await Task.sleep(for: .milliseconds(300))
            try await server.create(["id": "NEWCOMER"])
            try await client.delete(doomed)
        }
        await poller.stop()
        #expect(seen.contains { $0.name.hasSuffix("/NEWCOMER") && $0.from == nil && $0.to == .running })
        #expect(seen.contains { $0.name.hasSuffix("/DOOMED") && $0.from == .running && $0.to == nil })
    }

    @Test func largeProjectsStretchTheIntervalToTheBudget() async throws {
        let server = try await TestEmulator.start(operations: 3000)
        defer { Task { await server.stop() } }
        let poller = OperationPoller(client: try server.client(), project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .milliseconds(500), requestBudget: 2, pageSize: 1000))
        await poller.start()
        var schedule: PollSchedule?
        var initialPages = 0
        for await event in poller.events {
            if case .initialPage = event { initialPages += 1 }
            if case .schedule(let value) = event { schedule = value; break }
        }
        await poller.stop()
        #expect(initialPages == 3, "the first listing arrives page by page")
        let pace = try #require(schedule)
        #expect(pace.pagesPerListing == 3)
        #expect(pace.isStretched)
        #expect(pace.fullRefreshInterval == .milliseconds(1500))
        #expect(pace.requestsPerSecond <= 2.0001)
    }
}
