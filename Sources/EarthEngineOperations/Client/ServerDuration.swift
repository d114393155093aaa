import Foundation

/// Durations that a server gives (`Retry-After`, a token's `expires_in`), made safe before anything converts
/// them: an absurd value (1e19 seconds, NaN, a negative number, an HTTP-date in the year 9999) must neither trap
/// a conversion to an integer nor make eeops wait for ever.
public enum ServerDuration {
    /// `seconds` clamped to `0...limit`; NaN counts as 0.
    public static func clamp(_ seconds: Double, to limit: Double) -> Double {
        guard seconds.isFinite else { return seconds == .infinity ? limit : 0 }
        return min(max(0, seconds), limit)
    }

    /// `seconds` clamped to `0...limit`, as a `Duration` of whole milliseconds.
    public static func duration(seconds: Double, limit: Duration) -> Duration {
        let clamped = clamp(seconds, to: limit.seconds)
        return .milliseconds(Int64((clamped * 1000).rounded()))
    }

    /// The longest lifetime a token endpoint's `expires_in` is believed for (a day); real tokens last an hour.
    public static let maxTokenLifetime: Double = 86_400
}
