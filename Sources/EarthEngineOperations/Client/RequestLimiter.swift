/// Keeps the requests of one client within the API's published quotas (at most `maxInFlight` requests at once and
/// `requestsPerSecond`), however the server counts the rate, so that bulk work never sets off a storm of 429s.
///
/// Google states the quota as a rate without saying how it is measured, so a request starts only when both of
/// the common ways of counting allow it:
/// - a token bucket at the rate, holding a tenth of a second's worth (10 at 100/s): requests go out evenly, and a
///   short run (the pages of a fast listing) is not held back;
/// - a sliding window: at most ``windowShare`` of the rate in any second, so that a server that counts the
///   requests of every sliding second never sees more than its quota, even with the bucket's burst and requests
///   that arrive a little closer together than they left.
///
/// An answer 429 (the server counts otherwise still, or other clients share the project's quota) halves the rate
/// used, down to a tenth of it; the rate then recovers by a twentieth of the quota per second without a 429.
public actor RequestLimiter {
    public let maxInFlight: Int
    public let requestsPerSecond: Double
    /// The share of the rate that may start in any one second.
    public static let windowShare = 0.9
    private let burst: Double
    private var tokens: Double
    private var lastRefill: ContinuousClock.Instant
    /// The share of the rate in use: 1, less after a 429.
    private var pace = 1.0
    private var paceUpdatedAt = ContinuousClock.now
    /// The start times of the last requests, oldest first from `windowStart` (a ring of the window's size).
    private var starts: [ContinuousClock.Instant] = []
    private var windowStart = 0
    private var inFlight = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextWaiterID: UInt64 = 0

    /// - Parameters:
    ///   - maxInFlight: concurrent requests (the API allows 40 per project).
    ///   - requestsPerSecond: average rate (the API allows 100 per project).
    ///   - burst: requests that may start back to back after a pause; by default a tenth of a second's worth.
    public init(maxInFlight: Int = 40, requestsPerSecond: Double = 100, burst: Int? = nil) {
        self.maxInFlight = max(1, maxInFlight)
        self.requestsPerSecond = max(0.01, requestsPerSecond)
        let burst = Double(max(1, burst ?? Int(requestsPerSecond / 10)))
        self.burst = burst
        self.tokens = burst
        self.lastRefill = .now
    }

    /// Runs `body` once a slot and a rate token are free; `whenHeld` is called if it has to wait for either.
    public func withPermit<T: Sendable>(whenHeld: (@Sendable () -> Void)? = nil, _ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire(whenHeld: whenHeld)
        defer { release() }
        return try await body()
    }

    /// Waits for a slot, then for the rate; throws `CancellationError` if the task is cancelled meanwhile.
    /// `whenHeld` is called before each wait.
    public func acquire(whenHeld: (@Sendable () -> Void)? = nil) async throws {
        try Task.checkCancellation()
        if inFlight < maxInFlight {
            inFlight += 1
        } else {
            whenHeld?()
            let id = nextWaiterID
            nextWaiterID += 1
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    waiters.append((id, continuation))
                }
            } onCancel: {
                Task { await self.cancelWaiter(id) }
            }
        }
        // A token is taken at the moment the request may start, never reserved ahead: after a pause (a busy
        // machine, a suspended laptop) at most `burst` requests go at once, not everything that was due.
        while true {
            let wait = takeToken()
            if wait == .zero { return }
            whenHeld?()
            do {
                try await Task.sleep(for: wait)
            } catch {
                release()
                throw error
            }
        }
    }

    /// Frees the slot taken by ``acquire(whenHeld:)``.
    public func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().continuation.resume() // the slot passes straight to the next waiter
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// The rate in use now (requests per second): the quota's, or less after a 429.
    public var currentRate: Double { requestsPerSecond * pace }

    /// Told that the server answered 429: halves the rate in use (to a tenth of the quota at least).
    public func slowDown() {
        recoverPace(at: .now)
        pace = max(0.1, pace / 2)
        tokens = min(tokens, 1)
    }

    /// Takes a token and a place in the window if both are there (returns zero), else says how long until they are.
    private func takeToken() -> Duration {
        let now = ContinuousClock.now
        let elapsed = lastRefill.duration(to: now)
        recoverPace(at: now)
        lastRefill = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = currentRate
        tokens = min(burst, tokens + seconds * rate)
        let windowLimit = max(1, Int(rate * Self.windowShare))
        while windowStart < starts.count, starts[windowStart].duration(to: now) >= .seconds(1) { windowStart += 1 }
        if windowStart > 4096 {
            starts.removeFirst(windowStart)
            windowStart = 0
        }
        let inWindow = starts.count - windowStart
        if tokens >= 1, inWindow < windowLimit {
            tokens -= 1
            starts.append(now)
            return .zero
        }
        var wait = Duration.zero
        if tokens < 1 { wait = .nanoseconds(Int64((1 - tokens) / rate * 1e9)) }
        if inWindow >= windowLimit {
            // The request that leaves the window first: the one `windowLimit` starts back.
            let leaves = starts[starts.count - windowLimit] + .seconds(1)
            wait = max(wait, now.duration(to: leaves))
        }
        return max(.microseconds(100), wait)
    }

    /// After a 429, the pace comes back by a twentieth of the quota per second.
    private func recoverPace(at now: ContinuousClock.Instant) {
        let elapsed = paceUpdatedAt.duration(to: now)
        paceUpdatedAt = now
        guard pace < 1 else { return }
        pace = min(1, pace + 0.05 * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
    }
}
