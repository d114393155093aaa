import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import EarthEngineOperations

@Suite("The page fetches of one listing")
struct ListingFetchesTests {
    /// Pages `{"operations":[],"nextPageToken":"T<n+1>"}` for the token `T<n>`, counting the requests.
    static func pages(_ requests: Locked<[String?]>) -> @Sendable (String?, @escaping @Sendable () -> Void) async throws -> HTTPExchange {
        { token, sent in
            requests.withLock { $0.append(token) }
            sent()
            let page = token.map { Int($0.dropFirst())! } ?? 0
            return HTTPExchange(status: 200, headers: HTTPHeaders(), body: ByteBuffer(string: #"{"operations":[],"nextPageToken":"T\#(page + 1)"}"#))
        }
    }

    /// When a page arrives before the consumer took the one before it, the page after it is held back (two
    /// would already wait), and asked for as soon as the consumer takes one: the listing keeps running ahead,
    /// and the consumer's own `follow` gets that fetch instead of a second one or a repeated-token error.
    @Test func aPageHeldBackIsAskedForWhenTheConsumerCatchesUp() async throws {
        let requests = Locked<[String?]>([])
        let fetches = ListingFetches(lookahead: 2, reading: .token, fetch: Self.pages(requests))
        defer { fetches.cancelAll() }
        let first = try await fetches.first().value
        let second = try #require(first.next, "page 1 is asked for ahead of the consumer")
        let secondPage = try await second.value // arrives before the consumer took page 0
        #expect(secondPage.next == nil, "pages 0 and 1 wait for the consumer: page 2 is held back")
        #expect(requests.withLock { $0 } == [nil, "T1"])

        fetches.took(0)
        let deadline = ContinuousClock.now + .seconds(20)
        while requests.withLock({ $0.count }) < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(requests.withLock { $0 } == [nil, "T1", "T2"], "taking page 0 asks for the held page 2")

        fetches.took(1)
        let third = try await fetches.follow("T2", index: 2).value
        #expect(third.nextPageToken == "T3")
        #expect(requests.withLock { $0.filter { $0 == "T2" }.count } == 1, "follow gets the fetch already under way")
    }

    /// The consumer can wait for the next page's request to go out before it reads the page it has: it hears
    /// when the request is written, and also when the fetch ends without it (here: it fails), so it never hangs.
    @Test(.timeLimit(.minutes(1))) func theConsumerHearsWhenTheNextRequestIsOut() async throws {
        let release = AsyncStream<Void>.makeStream()
        let fetches = ListingFetches(lookahead: 2, reading: .token) { token, sent in
            if token == "T1" {
                for await _ in release.stream { break } // held until the test lets it go out
                sent()
            }
            if token == "T2" { throw CancellationError() } // never sent
            return HTTPExchange(status: 200, headers: HTTPHeaders(), body: ByteBuffer(string: token == nil ? #"{"operations":[],"nextPageToken":"T1"}"# : #"{"operations":[],"nextPageToken":"T2"}"#))
        }
        defer { fetches.cancelAll() }
        let first = try await fetches.first().value
        _ = try #require(first.next)
        fetches.took(0)
        let heard = Locked(false)
        let waiter = Task {
            await fetches.requestSent(1)
            heard.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!heard.withLock { $0 }, "the request for page 1 has not gone out")
        release.continuation.yield()
        await waiter.value
        #expect(heard.withLock { $0 })
        await fetches.requestSent(2) // page 2's fetch fails without sending: heard all the same
    }

    // MARK: - The machine, without HTTP or time

    /// Two pages may wait for the consumer: the third is held until the consumer takes one, then asked for; the
    /// consumer's own `follow` of it gets that fetch.
    @Test func theMachineRunsAheadByTheLookaheadAndHoldsThePageAfter() {
        var machine = ListingFetchMachine(lookahead: 2)
        #expect(machine.handle(.first) == .fetch(token: nil, index: 0, generation: 0))
        #expect(machine.handle(.arrived(index: 0, nextToken: "T1", generation: 0)) == .fetch(token: "T1", index: 1, generation: 0))
        #expect(machine.handle(.arrived(index: 1, nextToken: "T2", generation: 0)) == .none, "pages 0 and 1 wait: page 2 is held")
        #expect(machine.held?.token == "T2" && machine.held?.index == 2)
        #expect(machine.handle(.took(index: 0)) == .fetch(token: "T2", index: 2, generation: 0))
        #expect(machine.held == nil)
        #expect(machine.handle(.took(index: 1)) == .none)
        #expect(machine.handle(.follow(token: "T2", index: 2)) == .useStarted(index: 2))
        #expect(machine.handle(.took(index: 2)) == .none)
        #expect(machine.handle(.follow(token: "T3", index: 3)) == .fetch(token: "T3", index: 3, generation: 0))
    }

    /// A server that sends a token again would make the listing loop: the consumer's `follow` of it is an error,
    /// and the run ahead does not follow it either.
    @Test func theMachineFollowsATokenOnce() {
        var machine = ListingFetchMachine(lookahead: 2)
        _ = machine.handle(.first)
        #expect(machine.handle(.arrived(index: 0, nextToken: "T1", generation: 0)) == .fetch(token: "T1", index: 1, generation: 0))
        _ = machine.handle(.took(index: 0))
        #expect(machine.handle(.arrived(index: 1, nextToken: "T1", generation: 0)) == .none)
        _ = machine.handle(.took(index: 1))
        #expect(machine.handle(.follow(token: "T1", index: 2)) == .repeatedToken(pagesFollowed: 1))
    }

    /// Without a lookahead nothing runs ahead: the consumer asks for each page.
    @Test func withoutALookaheadTheConsumerAsksForEachPage() {
        var machine = ListingFetchMachine(lookahead: 0)
        _ = machine.handle(.first)
        #expect(machine.handle(.arrived(index: 0, nextToken: "T1", generation: 0)) == .none)
        #expect(machine.held == nil)
        _ = machine.handle(.took(index: 0))
        #expect(machine.handle(.follow(token: "T1", index: 1)) == .fetch(token: "T1", index: 1, generation: 0))
    }

    /// After `cancelAll`, the pages of the cancelled fetches start nothing more, and a new first page starts a new
    /// generation.
    @Test func cancelledFetchesStartNoMore() {
        var machine = ListingFetchMachine(lookahead: 2)
        _ = machine.handle(.first)
        _ = machine.handle(.arrived(index: 0, nextToken: "T1", generation: 0))
        #expect(machine.handle(.cancelAll) == .cancel(indices: [0, 1]))
        #expect(machine.handle(.arrived(index: 1, nextToken: "T2", generation: 0)) == .none)
        #expect(machine.started.isEmpty)
        #expect(machine.handle(.first) == .fetch(token: nil, index: 0, generation: 1))
    }

    /// The consumer waits for the next page's request until it went out, and not once it has.
    @Test func theConsumerWaitsForARequestUntilItWentOut() {
        var machine = ListingFetchMachine(lookahead: 2)
        _ = machine.handle(.first)
        _ = machine.handle(.arrived(index: 0, nextToken: "T1", generation: 0))
        #expect(machine.handle(.awaitSent(index: 1)) == .wait(index: 1))
        #expect(machine.handle(.sent(index: 1)) == .resumeWaiters(index: 1))
        #expect(machine.handle(.awaitSent(index: 1)) == .resumeNow)
        _ = machine.handle(.took(index: 1))
        #expect(!machine.sent.contains(1), "forgotten once taken")
        #expect(machine.handle(.awaitSent(index: 5)) == .resumeNow, "no fetch of page 5: nothing to wait for")
    }
}

@Suite("The poller's test clock")
struct ManualPollerClockTests {
    /// A sleep returns when the test lets its deadline pass, not before; a cancelled one throws.
    @Test(.timeLimit(.minutes(1))) func sleepsEndWhenTheTestAdvancesOrCancels() async throws {
        let clock = ManualPollerClock()
        let woke = Locked(false)
        let deadline = clock.now + .seconds(5)
        let sleeper = Task {
            try await clock.sleep(until: deadline)
            woke.withLock { $0 = true }
        }
        clock.advance(by: .seconds(4))
        try await Task.sleep(for: .milliseconds(50))
        #expect(!woke.withLock { $0 }, "4 of 5 seconds")
        clock.advance(by: .seconds(1))
        try await sleeper.value
        #expect(woke.withLock { $0 })
        let later = clock.now + .seconds(60)
        let cancelled = Task { try await clock.sleep(until: later) }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        try await clock.sleep(until: clock.now) // a deadline already reached returns at once
    }
}
