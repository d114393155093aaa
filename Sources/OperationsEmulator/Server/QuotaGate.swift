import Foundation

/// The API's per-project quotas as the server enforces them: requests in flight and requests per second
/// (a token bucket holding a fifth of a second's worth, so short bursts pass and floods do not).
actor QuotaGate {
    private struct Bucket {
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
        var inFlight = 0
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
        defer { buckets[project] = bucket }
        if bucket.inFlight >= quota.maxInFlight {
            return "Too many concurrent requests for project \(project) (limit \(quota.maxInFlight))."
        }
        guard bucket.tokens >= 1 else {
            return "Quota exceeded for requests per second for project \(project) (limit \(Int(quota.requestsPerSecond)))."
        }
        bucket.tokens -= 1
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
