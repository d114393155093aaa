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

    /// Reads a `Retry-After` header: delta-seconds or an HTTP-date.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}
