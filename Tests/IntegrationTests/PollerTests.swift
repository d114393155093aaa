import EarthEngineOperations
import Foundation
import OperationsEmulator
import Testing

@Suite("The poller shared by the TUI and watch")
struct PollerTests {
    /// Collects transitions until `condition` holds over all of them, or until `seconds` pass. `action` runs
    /// once the first complete listing (the baseline, which reports no transitions) has arrived.
    func transitions(from poller: OperationPoller, within seconds: Double, until condition: @escaping @Sendable ([StateTransition]) -> Bool,
                     while action: @escaping @Sendable () async throws -> Void) async throws -> [StateTransition] {
        let (baseline, baselineReached) = AsyncStream.makeStream(of: Void.self)
        let collector = Task {
            var seen: [StateTransition] = []
            defer { baselineReached.finish() }
            for await event in poller.events {
                switch event {
                case .listed:
                    baselineReached.yield()
                case .refreshed(_, let transitions, _):
                    seen += transitions
                default:
                    break
                }
                if condition(seen) { return seen }
            }
            return seen
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(seconds))
            await poller.stop()
        }
        for await _ in baseline { break }
        try await action()
        let seen = await collector.value
        timeout.cancel()
        return seen
    }

    /// The next transition of `name` among the poller's events, after the poller's clock has moved on `step`.
    func nextTransition(of name: OperationName, in events: inout AsyncStream<PollerEvent>.Iterator, after step: Duration,
                        on clock: ManualPollerClock) async -> StateTransition? {
        clock.advance(by: step)
        while let event = await events.next() {
            if case .refreshed(_, let transitions, _) = event, let mine = transitions.first(where: { $0.name == name.description }) { return mine }
        }
        return nil
    }

    /// A tracked operation is refreshed on the poller's clock: its cancel is seen going CANCELLING, then, once the
    /// emulator's clock has let the cancel finish, CANCELLED; nothing waits in real time.
    @Test(.timeLimit(.minutes(1))) func trackedCancelIsSeenGoingCancellingThenCancelled() async throws {
        let server = try await TestEmulator.start(operations: 40)
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create(["id": "TRACKED", "cancel": "cancels"])
        let clock = ManualPollerClock()
        let poller = OperationPoller(client: client, project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .seconds(30), trackedInterval: .milliseconds(100)), clock: clock)
        await poller.start()
        var events = poller.events.makeAsyncIterator()
        while let event = await events.next() { if case .listed = event { break } }
        #expect(await client.requestCancel(name) == .requested)
        await poller.track([name])
        // A second on the poller's clock: past the tracked interval (100 ms, stretched to the budget's 200 ms), well
        // before the next listing.
        let cancelling = await nextTransition(of: name, in: &events, after: .seconds(1), on: clock)
        try await server.advance(seconds: 5)
        let cancelled = await nextTransition(of: name, in: &events, after: .seconds(1), on: clock)
        await poller.stop()
        #expect(cancelling?.from == .running && cancelling?.to == .cancelling, "\(String(describing: cancelling))")
        #expect(cancelled?.from == .cancelling && cancelled?.to == .cancelled, "\(String(describing: cancelled))")
    }

    @Test func listingReportsNewAndVanishedOperations() async throws {
        let server = try await TestEmulator.start(operations: 5)
        defer { Task { await server.stop() } }
        let client = try server.client()
        let doomed = try await server.create(["id": "DOOMED"])
        let poller = OperationPoller(client: client, project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .milliseconds(200), completeListingInterval: .zero))
        await poller.start()
        let seen = try await transitions(from: poller, within: 10, until: { seen in
            seen.contains { $0.from == nil } && seen.contains { $0.to == nil }
        }) {
            try await server.create(["id": "NEWCOMER"])
            try await client.delete(doomed)
        }
        await poller.stop()
        #expect(seen.contains { $0.name.hasSuffix("/NEWCOMER") && $0.from == nil && $0.to == .running })
        #expect(seen.contains { $0.name.hasSuffix("/DOOMED") && $0.from == .running && $0.to == nil })
    }

    /// 3,000 operations whose 450 active ones are the newest: a short listing takes the first page, a complete
    /// one all three. Complete listings every second would cost 3 requests/s against a budget of 2, so they are
    /// stretched to every 3 s (half the budget) and the short ones to every second (the other half).
    @Test func largeProjectsStretchTheIntervalsToTheBudget() async throws {
        let server = try await TestEmulator.start(operations: 3000)
        defer { Task { await server.stop() } }
        let poller = OperationPoller(client: try server.client(), project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .milliseconds(500), completeListingInterval: .seconds(1),
                                                                        requestBudget: 2, pageSize: 1000))
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
        #expect(pace.pagesPerCompleteListing == 3)
        #expect(pace.pagesPerListing == 1, "the active operations are all on the first page")
        #expect(pace.completeListingInterval == .seconds(3))
        #expect(pace.interval == .seconds(1))
        #expect(pace.isStretched)
        #expect(pace.requestsPerSecond <= 2.0001)
    }

    /// After the baseline, each listing is one request (the first page holds every active operation), yet it
    /// reports a state change and a newcomer; a deleted operation that was done is found by the next
    /// complete listing, which `refreshNow` asks for.
    @Test func shortListingsStopOnceEveryActiveOperationIsSeen() async throws {
        let server = try await TestEmulator.start(operations: 3000)
        defer { Task { await server.stop() } }
        let client = try server.client()
        var everything: [LongRunningOperation] = []
        try await client.listAll(project: TestEmulator.project) { everything += $0 }
        let oldest = try #require(everything.last)
        #expect(oldest.state.isTerminal)
        let poller = OperationPoller(client: client, project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .seconds(1), requestBudget: 100))
        await poller.start()
        var events = poller.events.makeAsyncIterator()
        while let event = await events.next() { if case .listed = event { break } }
        let baseline = try await server.statistics()["listRequests"] ?? 0

        var upToDate = 0
        while let event = await events.next() { if case .upToDate = event { upToDate += 1; if upToDate == 3 { break } } }
        let afterThree = try await server.statistics()["listRequests"] ?? 0
        // Three listings of one page each; reading all three pages would be 9. Under load, the events can
        // reach this test late enough that a listing's request falls on either side of a count: 2 to 4.
        #expect((2...4).contains(afterThree - baseline), "one page per short listing: \(afterThree - baseline) requests")

        try await server.create(["id": "NEWCOMER"])
        try await server.advance(seconds: 3600) // every active operation finishes
        try await client.delete(try #require(OperationName(validating: oldest.name)))
        var transitions: [StateTransition] = []
        upToDate = 0
        while let event = await events.next() {
            if case .refreshed(_, let seen, _) = event { transitions += seen }
            if case .upToDate = event { upToDate += 1; if upToDate == 2 { break } }
        }
        #expect(transitions.contains { $0.name.hasSuffix("/NEWCOMER") && $0.from == nil })
        #expect(transitions.filter { $0.from?.isActive == true && $0.to?.isTerminal == true }.count >= 400, "\(transitions.count) transitions")
        #expect(!transitions.contains { $0.name == oldest.name }, "a short listing cannot see a deletion")

        await poller.refreshNow()
        var removals: [StateTransition] = []
        var orderSent: Bool?
        while let event = await events.next() {
            if case .refreshed(let operations, let seen, _) = event {
                removals += seen.filter { $0.to == nil }
                #expect(operations.isEmpty, "nothing changed since the short listings but the deletion")
            }
            if case .listed(let order, _) = event {
                orderSent = order != nil
                break
            }
        }
        await poller.stop()
        #expect(removals.map(\.name) == [oldest.name])
        #expect(removals.first?.from == .succeeded || removals.first?.from == .failed || removals.first?.from == .cancelled)
        #expect(orderSent == false, "the newcomer first and the deleted one gone: the order the events gave is the server's")
    }

    /// With a clock that moves only when the test says so, the schedule is exact and nothing waits in real time:
    /// no listing until the interval has passed on the poller's clock, a short listing (one page) when it has, and
    /// a complete one (all three) once the complete listing's interval has.
    @Test func listingsFollowThePollersClock() async throws {
        let server = try await TestEmulator.start(operations: 3000)
        defer { Task { await server.stop() } }
        let clock = ManualPollerClock()
        let poller = OperationPoller(client: try server.client(), project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .seconds(2), completeListingInterval: .seconds(30),
                                                                        requestBudget: 100, pageSize: 1000),
                                     clock: clock)
        await poller.start()
        var events = poller.events.makeAsyncIterator()
        while let event = await events.next() { if case .listed = event { break } }
        func listRequests() async throws -> Int { try await server.statistics()["listRequests"] ?? 0 }
        let baseline = try await listRequests()
        #expect(baseline == 3)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await listRequests() == baseline, "no time passed on the poller's clock")

        clock.advance(by: .seconds(2))
        while let event = await events.next() { if case .upToDate = event { break } }
        #expect(try await listRequests() == baseline + 1, "a short listing: the active operations are on the first page")

        clock.advance(by: .seconds(28))
        while let event = await events.next() { if case .listed = event { break } }
        #expect(try await listRequests() == baseline + 4, "the complete listing, 30 s after the first")
        await poller.stop()
    }

    /// A tracked operation that leaves the listing is no longer tracked: it kept the poller listing every
    /// tracked interval for the rest of the session.
    @Test(.timeLimit(.minutes(1))) func aTrackedOperationThatLeavesTheListingIsNoLongerFollowed() async throws {
        let server = try await TestEmulator.start(operations: 5)
        defer { Task { await server.stop() } }
        let client = try server.client()
        let doomed = try await server.create(["id": "DOOMED", "runSeconds": 3600])
        let clock = ManualPollerClock()
        let poller = OperationPoller(client: client, project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .seconds(60), completeListingInterval: .seconds(60),
                                                                        trackedInterval: .milliseconds(100)),
                                     clock: clock)
        await poller.start()
        var events = poller.events.makeAsyncIterator()
        while let event = await events.next() { if case .listed = event { break } }
        try await client.delete(doomed)
        await poller.track([doomed])
        let departure = await nextTransition(of: doomed, in: &events, after: .seconds(1), on: clock)
        #expect(departure != nil && departure?.to == nil, "\(String(describing: departure))")
        let before = try await server.statistics()["requests"] ?? 0
        // Half a minute on the poller's clock, a tracked interval 300 times over: nothing is due before the minute.
        for _ in 0..<30 { clock.advance(by: .seconds(1)) }
        try await Task.sleep(for: .milliseconds(300))
        let after = try await server.statistics()["requests"] ?? 0
        await poller.stop()
        #expect(after - before <= 1, "nothing is due for a minute: \(after - before) requests")
    }

    /// A poller that keeps summaries (the TUI's) sends finished operations without their stages, script and
    /// destinations, and active ones whole, whether they came from a listing or a tracked `get`; the listings that
    /// follow find the summaries unchanged and send none of them again.
    @Test func finishedOperationsAreKeptAsSummaries() async throws {
        // Active operations on every page: a short listing takes three pages, so one tracked operation is
        // refreshed by a `get`.
        let server = try await TestEmulator.start(operations: 300) {
            $0.activePlacement = .spread
        }
        defer { Task { await server.stop() } }
        let client = try server.client()
        var configuration = PollerConfiguration(interval: .milliseconds(200), completeListingInterval: .zero, trackedInterval: .milliseconds(100),
                                                pageSize: 100)
        configuration.finishedOperations = .summary
        let poller = OperationPoller(client: client, project: TestEmulator.project, configuration: configuration)
        await poller.start()
        var events = poller.events.makeAsyncIterator()
        var first: [LongRunningOperation] = []
        while let event = await events.next() {
            if case .initialPage(let page) = event { first += page }
            if case .listed = event { break }
        }
        let finished = first.filter(\.state.isTerminal)
        #expect(first.count == 300 && finished.count > 100)
        #expect(finished.allSatisfy { $0.isSummary && $0.metadata?.stages.isEmpty == true && $0.metadata?.destinationUris.isEmpty == true })
        #expect(first.filter { !$0.state.isTerminal }.allSatisfy { !$0.isSummary })
        #expect(first.filter { $0.state == .running }.allSatisfy { $0.metadata?.stages.isEmpty == false })
        let whole = try await client.get(try #require(OperationName(validating: finished[0].name)))
        #expect(!whole.isSummary && whole.metadata?.stages.isEmpty == false, "the server's answer has the details")

        await poller.track([try #require(OperationName(validating: finished[0].name))])
        var resent: [LongRunningOperation] = []
        var listings = 0
        while listings < 3, let event = await events.next() {
            if case .refreshed(let operations, _, _) = event { resent += operations.filter { finished.contains($0) || $0.name == finished[0].name } }
            if case .listed = event { listings += 1 }
        }
        await poller.stop()
        #expect(listings == 3)
        #expect(resent.contains { $0.name == finished[0].name }, "the tracked operation was refreshed by a get")
        #expect(resent.allSatisfy { $0.isSummary }, "a tracked get is kept as a summary too")
        #expect(resent.filter { $0.name != finished[0].name }.isEmpty, "\(resent.count) unchanged operations sent again")
    }

    /// 3,000 operations whose active ones lie through the whole history (a queue days deep). While the poller
    /// must keep all of them fresh, a short listing reads every page; told that the subscriber shows the first
    /// page's newest rows, it reads only the first page; when a row on screen is an active one on the last page,
    /// it reads all three again. The operations left out are still refreshed by the complete listings.
    @Test func shortListingsGoOnlyAsDeepAsTheOperationsShown() async throws {
        let server = try await TestEmulator.start(operations: 3000) {
            $0.activeFraction = 0.05
            $0.activePlacement = .spread
        }
        defer { Task { await server.stop() } }
        let client = try server.client()
        var everything: [LongRunningOperation] = []
        try await client.listAll(project: TestEmulator.project, pageSize: 1000) { everything += $0 }
        #expect(everything.count == 3000)
        let deepActive = try #require(everything[2000...].first { !$0.state.isTerminal }, "an active operation on the last page")
        let poller = OperationPoller(client: client, project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .milliseconds(200), completeListingInterval: .seconds(3600),
                                                                        requestBudget: 100, pageSize: 1000))
        await poller.start()
        var events = poller.events.makeAsyncIterator()
        func nextSchedule() async -> PollSchedule? {
            while let event = await events.next() { if case .schedule(let pace) = event { return pace } }
            return nil
        }
        #expect(await nextSchedule()?.pagesPerListing == 3, "every page holds an active operation")

        poller.setFocus(Set(everything.prefix(40).map(\.name)))
        #expect(await nextSchedule()?.pagesPerListing == 1, "the rows shown are on the first page")
        let before = try await server.statistics()["listRequests"] ?? 0
        var upToDate = 0
        while let event = await events.next() { if case .upToDate = event { upToDate += 1; if upToDate == 3 { break } } }
        let after = try await server.statistics()["listRequests"] ?? 0
        // Three listings of one page each (all three pages would be 9); as in the test above, 2 to 4.
        #expect((2...4).contains(after - before), "one page per short listing: \(after - before) requests")

        poller.setFocus(Set(everything.prefix(40).map(\.name)).union([deepActive.name]))
        #expect(await nextSchedule()?.pagesPerListing == 3, "an active row on screen lies on the last page")
        await poller.stop()
    }
}

@Suite("The server's clock")
struct ClockSkewTests {
    /// A server whose `Date` header is two hours ahead: the client measures it, the poller reports it once.
    /// A whole HTTP answer with `body`, whose `Date` header is `ahead` seconds after this machine's clock.
    static func answer(_ body: String, dateAhead ahead: TimeInterval) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: Date().addingTimeInterval(ahead))
        return "HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    @Test func aServerClockTwoHoursAheadIsMeasuredAndReported() async throws {
        let server = try RawHTTPServer {
            Self.answer(#"{"operations":[{"name":"projects/skew-project/operations/SKEW1","metadata":{"state":"RUNNING"}}]}"#, dateAhead: 7200)
        }
        defer { server.stop() }
        let client = OperationsClient(configuration: .init(endpoint: try ServiceEndpoint("http://127.0.0.1:\(server.port)")),
                                      tokenProvider: try StaticAccessTokenProvider(token: "skew-token", source: "test"))
        #expect(client.serverClockOffset == nil)
        let poller = OperationPoller(client: client, project: "skew-project", configuration: PollerConfiguration(interval: .milliseconds(200)))
        await poller.start()
        var reported: [Double] = []
        var listings = 0
        for await event in poller.events {
            if case .clockSkew(let seconds) = event { reported.append(seconds) }
            if case .listed = event { listings += 1 }
            if listings == 3 { break }
        }
        await poller.stop()
        let offset = try #require(client.serverClockOffset)
        #expect(abs(offset - 7200) < 3, "measured \(offset)")
        #expect(reported.count == 1, "reported once, not at every listing: \(reported)")
        #expect(abs((reported.first ?? 0) - 7200) < 3)
    }

    /// The server's `Date` is compared with when the head arrived, not with when the body was in: a body that
    /// comes 3 s after its head does not make the server's clock look 3 s behind.
    @Test func theServerClockIsReadWhenTheHeadArrives() async throws {
        let server = try RawHTTPServer(bodyDelay: 3) { Self.answer(#"{"operations":[]}"#, dateAhead: 600) }
        defer { server.stop() }
        let client = OperationsClient(configuration: .init(endpoint: try ServiceEndpoint("http://127.0.0.1:\(server.port)")),
                                      tokenProvider: try StaticAccessTokenProvider(token: "late-body-token", source: "test"))
        let started = Date()
        _ = try await client.listPage(project: "late-body-project")
        #expect(Date().timeIntervalSince(started) >= 3, "the body was held back")
        let offset = try #require(client.serverClockOffset)
        #expect(abs(offset - 600) < 1.5, "measured \(offset)")
    }

    /// The emulator's clock is this machine's: no skew.
    @Test func theEmulatorAgreesWithThisMachine() async throws {
        let server = try await TestEmulator.start(operations: 3)
        defer { Task { await server.stop() } }
        let client = try server.client()
        _ = try await client.listPage(project: TestEmulator.project)
        // Within 5 s: the Date header has whole seconds, and under the sanitizers' load an answer can take
        // seconds to be read. The poller reports skews of 30 s and more.
        #expect(abs(try #require(client.serverClockOffset)) < 5)
    }
}

@Suite("The poller's decode cache")
struct PollerDecodeCacheTests {
    /// With the clock standing still nothing changes: the second and third listings decode nothing.
    @Test func repeatedListingsReuseUnchangedOperations() async throws {
        let server = try await TestEmulator.start(operations: 2500)
        defer { Task { await server.stop() } }
        let poller = OperationPoller(client: try server.client(), project: TestEmulator.project,
                                     configuration: PollerConfiguration(interval: .milliseconds(200), completeListingInterval: .zero, requestBudget: 100))
        await poller.start()
        var listings = 0
        for await event in poller.events {
            if case .listed = event { listings += 1 }
            if listings == 3 { break }
        }
        await poller.stop()
        let counts = poller.decodeCache.counts
        #expect(counts.misses == 2500, "decoded once: \(counts)")
        #expect(counts.hits == 5000, "reused twice: \(counts)")
    }
}
