import Foundation

/// When and how long to wait before retrying a request: exponential backoff with full jitter, bounded
/// attempts, and the server's `Retry-After` honoured.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first one included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The longest `Retry-After` obeyed; a longer one is clipped to this.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(20), maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// A policy that never retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `failedAttempt + 1`, given a uniform random number in 0..<1.
    ///
    /// Without a `Retry-After` it is uniform in 0...min(maxDelay, baseDelay·2^(failedAttempt-1)) (full
    /// jitter); with one, it is that delay plus a little jitter so that clients told the same time do
    /// not return at once.
    public func delay(afterAttempt failedAttempt: Int, retryAfter: Duration?, unitRandom: Double) -> Duration {
        let exponent = min(30, max(0, failedAttempt - 1))
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        if let retryAfter {
            return min(retryAfter, maxRetryAfter) + baseDelay * unitRandom
        }
        return ceiling * unitRandom
    }

    /// The longest `Retry-After` that is read at all: anything longer is taken as this, before ``maxRetryAfter``
    /// clips it, so that no value a server sends can overflow a conversion.
    static let retryAfterCeiling: Duration = .seconds(86_400)

    /// Reads a `Retry-After` header: delta-seconds or an HTTP-date, clamped to at most a day.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), !seconds.isNaN, seconds >= 0 {
            return ServerDuration.duration(seconds: seconds, limit: retryAfterCeiling)
        }
        guard let date = Timestamp.parseHTTPDate(trimmed) else { return nil }
        return ServerDuration.duration(seconds: date.timeIntervalSince(now), limit: retryAfterCeiling)
    }
}
