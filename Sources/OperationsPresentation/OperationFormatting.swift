import EarthEngineOperations
import Foundation

/// The one place that turns operation fields into short, sanitised display text, shared by the CLI's
/// table and the TUI.
public enum OperationFormatting {
    /// The operation id, sanitised.
    public static func id(_ operation: LongRunningOperation) -> String {
        TerminalText.sanitize(operation.shortID)
    }

    /// The project of the operation's name ("-" when the name is not of the documented shape).
    public static func project(_ operation: LongRunningOperation) -> String {
        OperationName(validating: operation.name).map { TerminalText.sanitize($0.project) } ?? "-"
    }

    public static func type(_ operation: LongRunningOperation) -> String {
        TerminalText.sanitize(operation.metadata?.type ?? "-")
    }

    public static func description(_ operation: LongRunningOperation) -> String {
        TerminalText.sanitize(operation.metadata?.description ?? "")
    }

    /// A state name, sanitised (an unknown state came from the server).
    public static func state(_ state: OperationState) -> String {
        TerminalText.sanitize(state.apiValue)
    }

    /// `42%`, or `-` when the server gave no progress.
    public static func progress(_ operation: LongRunningOperation) -> String {
        guard let progress = operation.metadata?.clampedProgress else { return "-" }
        return "\(Int((progress * 100).rounded(.down)))%"
    }

    /// EECU-seconds with a unit suffix: `812`, `12.4k`, `3.1M`.
    public static func eecu(_ operation: LongRunningOperation) -> String {
        guard let value = operation.metadata?.batchEecuUsageSeconds, value.isFinite, value >= 0 else { return "-" }
        switch value {
        case ..<10: return tenths(value)
        case ..<10_000: return String(Int(value.rounded()))
        case ..<10_000_000: return tenths(value / 1000) + "k"
        default: return tenths(value / 1_000_000) + "M"
        }
    }

    /// `value` to one decimal, as printf's `%.1f` writes it but without its cost in every table row (the two can
    /// differ on a value within a rounding error of a half, such as 0.15, which printf rounds down).
    private static func tenths(_ value: Double) -> String {
        let scaled = (value * 10).rounded(.toNearestOrEven)
        guard scaled < Double(Int.max / 2) else { return String(format: "%.1f", value) }
        let whole = Int(scaled)
        return "\(whole / 10).\(whole % 10)"
    }

    /// How long ago, compactly: `45s`, `12m03s`, `3h05m`, `2d04h`; `-` without a time, `future` for clock skew.
    public static func age(of date: Date?, now: Date) -> String {
        guard let date else { return "-" }
        let seconds = now.timeIntervalSince(date)
        if seconds < -60 { return "future" }
        return DurationText.compact(seconds: max(0, seconds))
    }

    /// A timestamp for tables: `2026-11-23 10:04:05` in UTC.
    public static func timestamp(_ date: Date?) -> String {
        guard let date else { return "-" }
        let text = Timestamp.format(date, fractionDigits: 0)
        return String(text.dropLast()).replacingOccurrences(of: "T", with: " ")
    }

    /// The error of a failed operation, sanitised.
    public static func error(_ operation: LongRunningOperation) -> String {
        guard let error = operation.error, operation.state != .cancelled else { return "" }
        return TerminalText.sanitize(error.message.isEmpty ? error.rpcCode.name : error.message)
    }
}
