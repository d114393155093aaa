/// Text for terminals: neutralising untrusted text and measuring how many columns it takes.
///
/// Everything the server sends (descriptions, error messages, URIs) passes through ``sanitize(_:)``
/// before it is shown, so that no escape sequence, control character or bidi override reaches the
/// terminal raw.
public enum TerminalText {
    /// Replaces control characters with visible caret notation (`ESC` → `^[`); C1 controls, bidi controls and
    /// invisible characters (zero-width spaces and joiners, word joiners, the byte-order mark, tag characters,
    /// Hangul fillers, the soft hyphen: every default-ignorable code point but the variation selectors, which
    /// emoji need) with `<U+XXXX>`, so that two different ids never look the same; and tabs and line breaks (CR,
    /// LF, and the line and paragraph separators U+2028 and U+2029) with spaces.
    public static func sanitize(_ text: String) -> String {
        // Fast path: printable ASCII needs no change.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029:
                result.append(" ")
            case 0x00..<0x20:
                result.append("^")
                result.append(Unicode.Scalar(UInt8(scalar.value + 0x40)))
            case 0x7F:
                result.append(contentsOf: "^?".unicodeScalars)
            case 0x80..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C, 0xFFF9...0xFFFB:
                result.append(contentsOf: "<U+\(hex(scalar.value))>".unicodeScalars)
            default:
                if isInvisible(scalar) {
                    result.append(contentsOf: "<U+\(hex(scalar.value))>".unicodeScalars)
                } else {
                    result.append(scalar)
                }
            }
        }
        return String(result)
    }

    /// True when `text` can go to a terminal as it is: no control characters (C0, DEL, C1), no bidi
    /// controls (U+061C, U+200E/F, U+202A–202E, U+2066–2069), no line or paragraph separators, and no invisible
    /// characters (default-ignorable code points other than variation selectors).
    /// ``sanitize(_:)`` always returns such text; the fuzzer (`Fuzz/`) and the tests check that it does.
    ///
    /// Judged by the Unicode properties of each scalar, independently of how ``sanitize(_:)`` works.
    public static func isSafeForTerminal(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: false
            default:
                !scalar.properties.isBidiControl
                    && !(scalar.properties.isDefaultIgnorableCodePoint && !scalar.properties.isVariationSelector)
            }
        }
    }

    /// A character that takes no visible space and is not a variation selector: what could make two different
    /// texts look the same (U+200B, U+2060, U+FEFF, the tag characters, the Hangul fillers, ...).
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        // Below U+00AD, and in the CJK ideographs and Hangul syllables, nothing is default-ignorable.
        if value < 0xAD || (0x4E00...0x9FFF).contains(value) || (0xAC00...0xD7A3).contains(value) { return false }
        return scalar.properties.isDefaultIgnorableCodePoint && !scalar.properties.isVariationSelector
    }

    /// Replaces every non-ASCII character with `?`, for terminals without UTF-8. Apply after ``sanitize(_:)``.
    public static func asciiOnly(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                result.unicodeScalars.append(scalar)
            } else if width(of: scalar) > 0 {
                result += "?"
            }
        }
        return result
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Columns a string takes in a terminal (after sanitising): wide East Asian characters and emoji
    /// take two, combining marks and format characters none.
    public static func width(_ text: String) -> Int {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        var total = 0
        for scalar in text.unicodeScalars { total += width(of: scalar) }
        return total
    }

    /// Columns one Unicode scalar takes, as wcwidth(3) counts them.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return value >= 0x20 ? 1 : 0 }
        if value < 0xA0 { return 0 }
        // Latin-1 and the Latin extensions hold no marks, format or wide characters (U+00AD, a format
        // character, takes one column as wcwidth counts it); combining marks start at U+0300.
        if value < 0x300 { return 1 }
        // CJK ideographs and Hangul syllables, common in descriptions, hold no marks either.
        if (0x4E00...0x9FFF).contains(value) || (0xAC00...0xD7A3).contains(value) { return 2 }
        if (0x1160...0x11FF).contains(value) || value == 0x200B { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if isWide(value) { return 2 }
        if value >= 0x1F000, scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// East Asian Wide and Fullwidth ranges (Unicode 15), plus the emoji that have default emoji presentation.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E,
        0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
        0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
        0x17000...0x18CFF, 0x1AFF0...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E,
        0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251,
        0x1F260...0x1F265, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ value: UInt32) -> Bool {
        guard value >= 0x1100 else { return false }
        var low = 0, high = wideRanges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let range = wideRanges[mid]
            if value < range.lowerBound { high = mid - 1 } else if value > range.upperBound { low = mid + 1 } else { return true }
        }
        return false
    }

    /// Cuts `text` to at most `columns` columns, ending in `ellipsis` when something was cut; a wide
    /// character that would straddle the edge is dropped.
    public static func truncate(_ text: String, to columns: Int, ellipsis: String = "…") -> String {
        guard columns > 0 else { return "" }
        let total = width(text)
        if total <= columns { return text }
        let ellipsisWidth = width(ellipsis)
        let budget = columns - ellipsisWidth
        guard budget >= 0 else { return String(repeating: ".", count: columns) }
        var used = 0
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let w = width(of: scalar)
            if used + w > budget { break }
            used += w
            result.append(scalar)
        }
        return String(result) + ellipsis
    }

    /// `text` cut or padded with spaces to exactly `columns` columns.
    public static func fit(_ text: String, to columns: Int, alignRight: Bool = false, ellipsis: String = "…") -> String {
        let cut = truncate(text, to: columns, ellipsis: ellipsis)
        let padding = String(repeating: " ", count: max(0, columns - width(cut)))
        return alignRight ? padding + cut : cut + padding
    }
}
