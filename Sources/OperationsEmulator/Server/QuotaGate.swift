import Foundation

/// The API's per-project quotas as the server enforces them: requests in flight, and requests per second counted
/// as the configured model says (a token bucket holding a fifth of a second's worth, or a sliding second).
actor QuotaGate {
    private struct Bucket {
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
        var inFlight = 0
        /// The admissions of the last second, oldest first (the sliding-window model).
        var admitted: [ContinuousClock.Instant] = []
        var oldest = 0
    }

    private let quota: QuotaConfiguration
    private var buckets: [String: Bucket] = [:]

    init(quota: QuotaConfiguration) { self.quota = quota }

    /// Admits a request, or says which quota it exceeds.
    func enter(project: String) -> String? {
        let now = ContinuousClock.now
        let capacity = max(1, quota.requestsPerSecond / 5)
        var bucket = buckets[project] ?? Bucket(tokens: capacity, refilledAt: now)
        bucket.tokens = min(capacity, bucket.tokens + bucket.refilledAt.duration(to: now).secondsValue * quota.requestsPerSecond)
        bucket.refilledAt = now
        while bucket.oldest < bucket.admitted.count, bucket.admitted[bucket.oldest].duration(to: now) >= .seconds(1) { bucket.oldest += 1 }
        if bucket.oldest > 1024 {
            bucket.admitted.removeFirst(bucket.oldest)
            bucket.oldest = 0
        }
        defer { buckets[project] = bucket }
        if bucket.inFlight >= quota.maxInFlight {
            return "Too many concurrent requests for project \(project) (limit \(quota.maxInFlight))."
        }
        let exceeded = "Quota exceeded for requests per second for project \(project) (limit \(Int(quota.requestsPerSecond)))."
        switch quota.model {
        case .tokenBucket:
            guard bucket.tokens >= 1 else { return exceeded }
            bucket.tokens -= 1
        case .slidingWindow:
            guard Double(bucket.admitted.count - bucket.oldest) < quota.requestsPerSecond else { return exceeded }
        }
        bucket.admitted.append(now)
        bucket.inFlight += 1
        return nil
    }

    func leave(project: String) {
        buckets[project]?.inFlight -= 1
    }
}

extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
