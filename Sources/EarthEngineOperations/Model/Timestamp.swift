import Foundation

/// RFC 3339 timestamps as the API writes them (`2024-05-01T12:00:00.123456Z`), parsed without
/// Foundation's date formatters, which are slow and locale-dependent.
public enum Timestamp {
    /// The first and the last second RFC 3339 can write (years 0000 to 9999), in seconds since 1970.
    static let earliestSecond = -62_167_219_200
    static let latestSecond = 253_402_300_799

    /// Parses an HTTP date (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), as in a `Date` header.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), (1970...9999).contains(year), (1...daysIn(month: monthIndex + 1, year: year)).contains(day) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f{0,9}](Z|±HH:MM)`; `t`/`z` and a space separator are accepted too.
    /// Returns nil for anything else, including out-of-range fields and offsets that take the time
    /// outside the years 0000 to 9999 in UTC (which ``format(_:fractionDigits:)`` could not write).
    public static func parse(_ text: String) -> Date? {
        parse(utf8: text.utf8.span)
    }

    /// ``parse(_:)`` over UTF-8 bytes.
    public static func parse(utf8 text: Span<UInt8>) -> Date? {
        let count = text.count
        guard count >= 20, count <= 40 else { return nil }
        /// The number in the `width` digits at `start`; -1 when one is not a digit.
        func digits(_ start: Int, _ width: Int) -> Int {
            var value = 0
            for index in start..<(start + width) {
                let digit = Int(text[index]) &- 48
                guard digit >= 0, digit <= 9 else { return -1 }
                value = value * 10 + digit
            }
            return value
        }
        let year = digits(0, 4), month = digits(5, 2), day = digits(8, 2)
        let hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2)
        guard year >= 0, text[4] == UInt8(ascii: "-"), (1...12).contains(month), text[7] == UInt8(ascii: "-"),
              day >= 1, day <= daysIn(month: month, year: year),
              text[10] == UInt8(ascii: "T") || text[10] == UInt8(ascii: "t") || text[10] == UInt8(ascii: " "),
              (0..<24).contains(hour), text[13] == UInt8(ascii: ":"), (0..<60).contains(minute), text[16] == UInt8(ascii: ":"),
              (0...60).contains(second)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if text[index] == UInt8(ascii: ".") {
            index += 1
            var scaled = 0
            let first = index
            while index < count, index - first < 10, case let digit = Int(text[index]) &- 48, digit >= 0, digit <= 9 {
                scaled = scaled * 10 + digit
                index += 1
            }
            guard (1...9).contains(index - first) else { return nil }
            fraction = Double(scaled) / powersOfTen[index - first]
        }
        guard index < count else { return nil }
        var offsetSeconds = 0
        switch text[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 <= count, text[index + 3] == UInt8(ascii: ":") else { return nil }
            let offsetHour = digits(index + 1, 2), offsetMinute = digits(index + 4, 2)
            guard (0..<24).contains(offsetHour), (0..<60).contains(offsetMinute) else { return nil }
            offsetSeconds = (text[index] == UInt8(ascii: "+") ? 1 : -1) * (offsetHour * 3600 + offsetMinute * 60)
            index += 6
        default:
            return nil
        }
        guard index == count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        guard (earliestSecond...latestSecond).contains(seconds) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static let powersOfTen: [Double] = (0...9).map { (0..<$0).reduce(1.0) { value, _ in value * 10 } }

    /// Formats a date as UTC with exactly `fractionDigits` (0...9) fractional digits, e.g. `...T12:00:00.123456Z`.
    /// Dates before year 0000 or after year 9999 are written as the first or last instant RFC 3339 allows.
    public static func format(_ date: Date, fractionDigits: Int = 6) -> String {
        var text = InlineArray<30, UInt8>(repeating: 0)
        var span = text.mutableSpan
        let count = write(date, fractionDigits: fractionDigits, to: &span)
        return String(decodingUTF8: text.span.extracting(0..<count))
    }

    /// The most bytes ``write(_:fractionDigits:to:)`` writes.
    public static let longestText = 30

    /// ``format(_:fractionDigits:)`` written as UTF-8 at the start of `text`, which has room for ``longestText``
    /// bytes (at most that many are written: the year is clamped to 0000...9999, so the date and time take 19
    /// bytes, the fraction at most 10 and the `Z` 1); returns how many it wrote.
    public static func write(_ date: Date, fractionDigits: Int = 6, to text: inout MutableSpan<UInt8>) -> Int {
        let digits = max(0, min(9, fractionDigits))
        var interval = date.timeIntervalSince1970
        if !(interval >= Double(earliestSecond)) { interval = Double(earliestSecond) } // also NaN
        var limit = 1
        for _ in 0..<digits { limit *= 10 }
        var whole: Int
        var scaled: Int
        if interval >= Double(latestSecond + 1) {
            (whole, scaled) = (latestSecond, limit - 1)
        } else {
            whole = Int(interval.rounded(.down))
            scaled = Int(((interval - Double(whole)) * Double(limit)).rounded())
            if scaled >= limit { // rounding carried into the next second, which 9999-12-31T23:59:59 has not
                if whole < latestSecond { (whole, scaled) = (whole + 1, 0) } else { scaled = limit - 1 }
            }
        }
        let days = Int((Double(whole) / 86_400).rounded(.down))
        let secondsOfDay = whole - days * 86_400
        let (year, month, day) = civilFromDays(days)
        var count = 0
        func put(_ byte: UInt8) {
            text[count] = byte
            count += 1
        }
        func pad(_ value: Int, _ width: Int) {
            var rest = value
            for position in stride(from: count + width - 1, through: count, by: -1) {
                text[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            count += width
        }
        pad(year, 4); put(UInt8(ascii: "-")); pad(month, 2); put(UInt8(ascii: "-")); pad(day, 2)
        put(UInt8(ascii: "T"))
        pad(secondsOfDay / 3600, 2); put(UInt8(ascii: ":"))
        pad(secondsOfDay / 60 % 60, 2); put(UInt8(ascii: ":"))
        pad(secondsOfDay % 60, 2)
        if digits > 0 {
            put(UInt8(ascii: "."))
            pad(scaled, digits)
        }
        put(UInt8(ascii: "Z"))
        return count
    }

    private static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
