/// Durations as people type them: `90s`, `5m`, `1h30m`, `2d`, `1.5h`, `250ms`.
public enum DurationText {
    /// Parses a duration; nil for anything malformed, negative or absurd (over 10 years).
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        var total = 0.0
        var number = ""
        var index = trimmed.startIndex
        var sawUnit = false
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if character.isASCII, character.isNumber || character == "." {
                number.append(character)
                index = trimmed.index(after: index)
                continue
            }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            guard let value = Double(number), value >= 0 else { return nil }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s", "sec", "secs": scale = 1
            case "m", "min", "mins": scale = 60
            case "h", "hr", "hrs": scale = 3600
            case "d", "day", "days": scale = 86_400
            case "w": scale = 604_800
            default: return nil
            }
            total += value * scale
            number = ""
            sawUnit = true
        }
        if !number.isEmpty {
            // A bare number means seconds, as in `--timeout 30`.
            guard !sawUnit, let value = Double(number), value >= 0 else { return nil }
            total = value
        }
        guard total.isFinite, total <= 315_576_000 else { return nil }
        return .milliseconds(Int64((total * 1000).rounded()))
    }

    /// Formats a duration compactly for tables: `45s`, `12m`, `3h05m`, `2d04h`.
    public static func compact(seconds: Double) -> String {
        let whole = Int(min(max(0, seconds), 1e15)) // Int(_:) traps on huge values (a token "expiring" in 1e300 s)
        switch whole {
        case ..<60: return "\(whole)s"
        case ..<3600: return "\(whole / 60)m\(pad(whole % 60))s"
        case ..<86_400: return "\(whole / 3600)h\(pad(whole / 60 % 60))m"
        default: return "\(whole / 86_400)d\(pad(whole / 3600 % 24))h"
        }
    }

    /// How far the server's clock is from this machine's: `5m00s ahead`, `12s behind` (positive: ahead).
    public static func clockSkew(seconds: Double) -> String {
        "\(compact(seconds: abs(seconds).rounded())) \(seconds > 0 ? "ahead" : "behind")"
    }

    /// The warning the TUI and `watch` give when the server's clock is off.
    public static func clockSkewWarning(seconds: Double) -> String {
        "the server's clock is \(clockSkew(seconds: seconds))\(seconds > 0 ? " of" : "") this machine's: ages may look wrong"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
