import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import EarthEngineOperations

@Suite("Errors, retries and the quota limiter")
struct ClientPolicyTests {
    func exchange(_ status: Int, _ body: String, contentType: String = "application/json") -> HTTPExchange {
        HTTPExchange(status: status, headers: ["Content-Type": contentType], body: ByteBuffer(string: body))
    }

    @Test func googleEnvelopeBecomesTypedError() {
        let error = OperationsClient.decodeError(exchange(404, #"{"error":{"code":404,"message":"Operation not found.","status":"NOT_FOUND"}}"#))
        guard case .api(let code, let status, let message) = error else { Issue.record("not an API error: \(error)"); return }
        #expect(code == .notFound)
        #expect(status == 404)
        #expect(message == "Operation not found.")
        #expect(error.description == "NOT_FOUND: Operation not found.")
        #expect(!error.isRetryable)
    }

    @Test(arguments: [(401, "UNAUTHENTICATED", RPCCode.unauthenticated), (403, "PERMISSION_DENIED", .permissionDenied),
                      (429, "RESOURCE_EXHAUSTED", .resourceExhausted), (501, "UNIMPLEMENTED", .unimplemented),
                      (400, "FAILED_PRECONDITION", .failedPrecondition), (503, "UNAVAILABLE", .unavailable)])
    func everyStatusMapsToItsCode(http: Int, status: String, code: RPCCode) {
        let error = OperationsClient.decodeError(exchange(http, "{\"error\":{\"code\":\(http),\"message\":\"m\",\"status\":\"\(status)\"}}"))
        #expect(error.rpcCode == code)
        #expect(error.isRetryable == [429, 503].contains(http))
    }

    @Test func envelopeWithoutStatusUsesTheHTTPCode() {
        let error = OperationsClient.decodeError(exchange(403, #"{"error":{"message":"no"}}"#))
        #expect(error.rpcCode == .permissionDenied)
    }

    @Test func htmlFromAProxyGivesAClearError() {
        let error = OperationsClient.decodeError(exchange(502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", contentType: "text/html"))
        guard case .unexpectedErrorBody(let status, let contentType, let excerpt) = error else { Issue.record("wrong error \(error)"); return }
        #expect(status == 502)
        #expect(contentType == "text/html")
        #expect(excerpt == "502 Bad Gateway")
        #expect(error.isRetryable)
        #expect(error.description.contains("proxy"))
        let empty = OperationsClient.decodeError(exchange(500, ""))
        #expect(empty.description.contains("empty body"))
    }

    @Test func backoffIsFullJitterWithinBounds() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unitRandom: 0) == .zero)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unitRandom: 0.5) == .milliseconds(50))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unitRandom: 0.5) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 20, retryAfter: nil, unitRandom: 0.999) <= .seconds(2))
    }

    @Test func retryAfterIsHonouredAndCapped() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxRetryAfter: .seconds(30))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3), unitRandom: 0) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3), unitRandom: 1) == .milliseconds(3100))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(600), unitRandom: 0) == .seconds(30))
    }

    @Test func parsesRetryAfterForms() {
        #expect(RetryPolicy.parseRetryAfter("7") == .seconds(7))
        #expect(RetryPolicy.parseRetryAfter("1.5") == .milliseconds(1500))
        let now = Date(timeIntervalSince1970: 1_445_412_470)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(10))
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
        #expect(RetryPolicy.parseRetryAfter("-3") == nil)
    }

    /// A server's absurd `Retry-After` is clamped before it is converted (1e19 seconds trapped the conversion to
    /// an integer: every command crashed with exit 132).
    @Test func absurdRetryAfterValuesAreClampedNotTrapped() {
        let day = Duration.seconds(86_400)
        #expect(RetryPolicy.parseRetryAfter("1e19") == day)
        #expect(RetryPolicy.parseRetryAfter("1e308") == day)
        #expect(RetryPolicy.parseRetryAfter("inf") == day)
        #expect(RetryPolicy.parseRetryAfter("nan") == nil)
        #expect(RetryPolicy.parseRetryAfter("99999999999999999999999") == day)
        #expect(RetryPolicy.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT") == day)
        #expect(RetryPolicy.parseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT") == .zero, "a date in the past means now")
        let policy = RetryPolicy(maxRetryAfter: .seconds(60))
        let delay = policy.delay(afterAttempt: 1, retryAfter: RetryPolicy.parseRetryAfter("1e19"), unitRandom: 0.5)
        #expect(delay >= .seconds(60) && delay <= .seconds(61))
    }

    @Test func serverDurationsAreClamped() {
        #expect(ServerDuration.clamp(1e300, to: 10) == 10)
        #expect(ServerDuration.clamp(-.infinity, to: 10) == 0)
        #expect(ServerDuration.clamp(.nan, to: 10) == 0)
        #expect(ServerDuration.clamp(-5, to: 10) == 0)
        #expect(ServerDuration.clamp(3.5, to: 10) == 3.5)
        #expect(ServerDuration.duration(seconds: 1e19, limit: .seconds(5)) == .seconds(5))
    }

    /// However the server counts a second, it never sees more than the quota from the limiter: at most 90% of the
    /// rate start in any sliding second, bucket burst included.
    @Test func limiterStaysInsideASlidingSecond() async throws {
        let limiter = RequestLimiter(maxInFlight: 1000, requestsPerSecond: 100)
        let starts = Locked<[ContinuousClock.Instant]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<250 {
                group.addTask {
                    try await limiter.withPermit { starts.withLock { $0.append(.now) } }
                }
            }
            try await group.waitForAll()
        }
        let times = starts.withLock { $0 }.sorted()
        var busiest = 0
        var first = 0
        for last in times.indices {
            while times[first].duration(to: times[last]) >= .seconds(1) { first += 1 }
            busiest = max(busiest, last - first + 1)
        }
        // The times are taken just after each permit, a little later than the limiter's own: allow two for that.
        // A token bucket alone lets about 110 start in some seconds.
        #expect(busiest <= 92, "\(busiest) requests started within one second")
        #expect(busiest >= 80, "the limiter still uses the quota: \(busiest)")
    }

    @Test func limiterNeverExceedsItsInFlightBound() async throws {
        let limiter = RequestLimiter(maxInFlight: 3, requestsPerSecond: 10_000, burst: 100)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    try await limiter.withPermit {
                        await gauge.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await gauge.peak == 3)
        #expect(await gauge.total == 30)
    }

    /// A request held by the limiter says so (a listing's consumer then stops waiting for it to go out): when it
    /// waits for a slot and when it waits for the rate, and not when it need not wait.
    @Test func limiterSaysWhenItHoldsARequest() async throws {
        func waitUntil(_ condition: @escaping @Sendable () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        }
        // No slot: one in flight at most, and tokens to spare.
        let heldForSlot = Locked(0)
        let slots = RequestLimiter(maxInFlight: 1, requestsPerSecond: 10_000, burst: 100)
        try await slots.acquire(whenHeld: { heldForSlot.withLock { $0 += 1 } })
        #expect(heldForSlot.withLock { $0 } == 0, "a free slot and a token")
        let waiter = Task { try await slots.acquire(whenHeld: { heldForSlot.withLock { $0 += 1 } }) }
        try await waitUntil { heldForSlot.withLock { $0 } > 0 }
        #expect(heldForSlot.withLock { $0 } == 1)
        await slots.release()
        try await waiter.value
        await slots.release()
        // No token: one in a hundred seconds, and slots to spare.
        let heldForRate = Locked(0)
        let rate = RequestLimiter(maxInFlight: 10, requestsPerSecond: 0.01, burst: 1)
        try await rate.acquire(whenHeld: { heldForRate.withLock { $0 += 1 } })
        #expect(heldForRate.withLock { $0 } == 0)
        let rateWaiter = Task { try await rate.acquire(whenHeld: { heldForRate.withLock { $0 += 1 } }) }
        try await waitUntil { heldForRate.withLock { $0 } > 0 }
        #expect(heldForRate.withLock { $0 } == 1)
        rateWaiter.cancel()
        await #expect(throws: CancellationError.self) { try await rateWaiter.value }
    }

    @Test func limiterWaiterCanBeCancelled() async throws {
        let limiter = RequestLimiter(maxInFlight: 1, requestsPerSecond: 1000)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await limiter.release()
        try await limiter.acquire() // the slot is free again
        await limiter.release()
    }
}

actor Gauge {
    private(set) var current = 0
    private(set) var peak = 0
    private(set) var total = 0
    func enter() { current += 1; total += 1; peak = max(peak, current) }
    func leave() { current -= 1 }
}
