/// Keeps the requests of one client within the API's published quotas: at most `maxInFlight` requests at
/// once and `requestsPerSecond` on average, so that bulk work never sets off a storm of 429s.
///
/// The rate is a token bucket holding a tenth of a second's worth of requests (10 at 100/s): half the bucket with
/// which the emulator models the API's quota (its `QuotaGate`, a fifth of a second's worth; Google states the quota
/// as 100 requests/s and 6,000 a minute). The other half is room for requests that reach the server bunched
/// closer than they left (with a full bucket, 150 cancels met two 429s). A short run of requests, such as the pages
/// of a fast listing of 10,000 operations, is not held back; a long one keeps to the rate. (A burst of 5 held
/// the last pages of such a listing back by 3 to 6 ms each.)
public actor RequestLimiter {
    public let maxInFlight: Int
    public let requestsPerSecond: Double
    private let burst: Double
    private var tokens: Double
    private var lastRefill: ContinuousClock.Instant
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

    /// Takes a token if one is there (returns zero), else says how long until the next one.
    private func takeToken() -> Duration {
        let now = ContinuousClock.now
        let elapsed = lastRefill.duration(to: now)
        lastRefill = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * requestsPerSecond)
        guard tokens < 1 else {
            tokens -= 1
            return .zero
        }
        return .nanoseconds(max(100_000, Int64((1 - tokens) / requestsPerSecond * 1e9)))
    }
}
