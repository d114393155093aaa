import Foundation
#if canImport(_FoundationICU)
import _FoundationICU
#endif

/// A compiled, case-insensitive regular expression in ICU's syntax, where `^` and `$` also match at line
/// ends. Matching goes through a ``Matcher``, one per thread.
///
/// On Linux it calls ICU directly: the same engine (the one Swift's Foundation ships) and the same syntax as
/// `NSRegularExpression`, without bridging each text to an `NSString`, because the TUI searches every row of
/// its table at each key typed.
// Safe because its state is immutable after `init`: the compiled ICU pattern behind `Locked` (only cloned and
// closed, under the lock), or an NSRegularExpression, which is immutable and thread-safe. Matchers, which
// hold mutable state, are not Sendable: each stays on one thread.
final class RegularExpression: @unchecked Sendable {
    #if canImport(_FoundationICU)
    /// The compiled pattern. It is never matched on: a matcher clones it, under the lock (the threads of a
    /// filter clone it at once), for its own state.
    private let compiled: Locked<OpaquePointer>

    /// Nil when the pattern is not a valid expression.
    init?(_ pattern: String) {
        let units = Array(pattern.utf16)
        var status = U_ZERO_ERROR
        let flags = UInt32(UREGEX_CASE_INSENSITIVE.rawValue | UREGEX_MULTILINE.rawValue)
        guard let regex = swift_uregex_open(units, Int32(units.count), flags, nil, &status) else { return nil }
        guard status.rawValue <= U_ZERO_ERROR.rawValue else {
            swift_uregex_close(regex)
            return nil
        }
        compiled = Locked(regex)
    }

    deinit { compiled.withLock { swift_uregex_close($0) } }

    /// A matcher to use on one thread at a time.
    func matcher() -> Matcher {
        compiled.withLock { compiled in
            var status = U_ZERO_ERROR
            return Matcher(swift_uregex_clone(compiled, &status))
        }
    }

    /// Matches texts against the expression, reusing one buffer for their UTF-16.
    final class Matcher {
        private let regex: OpaquePointer?
        // Invariant: `units` holds `capacity` units, freed only when grown or in `deinit` (after the regex is closed).
        // ICU keeps the text's pointer without copying it, so `setText` hands it the current buffer before every find.
        private var units: UnsafeMutablePointer<UInt16>
        private var capacity = 256

        fileprivate init(_ regex: OpaquePointer?) {
            self.regex = regex
            units = .allocate(capacity: capacity)
            var status = U_ZERO_ERROR
            // About a millisecond's worth of steps per text: a pathological expression gives no match rather than a hang.
            if let regex { swift_uregex_setTimeLimit(regex, 10, &status) }
        }

        deinit {
            if let regex { swift_uregex_close(regex) }
            units.deallocate()
        }

        /// True when the expression matches somewhere in the text's lines, joined by line breaks.
        func matches(_ text: SearchedText) -> Bool {
            guard let regex else { return false }
            // UTF-16 never takes more units than UTF-8 takes bytes.
            let needed = text.byteCount + 2
            if needed > capacity {
                units.deallocate()
                capacity = max(needed, capacity * 2)
                units = .allocate(capacity: capacity)
            }
            var count = 0
            text.forEachLine { index, line in
                if index > 0 {
                    units[count] = 0x0A
                    count += 1
                }
                count = Self.writeUTF16(of: line, to: units, at: count)
            }
            guard count <= Int(Int32.max) else { return false }
            var status = U_ZERO_ERROR
            swift_uregex_setText(regex, units, Int32(count), &status)
            let found = swift_uregex_find(regex, 0, &status) != 0
            return status.rawValue <= U_ZERO_ERROR.rawValue && found
        }

        /// Writes the line's UTF-16 at `offset` and returns where it ends: ASCII byte by byte, anything else
        /// decoded (malformed UTF-8 as U+FFFD, as `String` reads it).
        // Safe because `matches` made room for byteCount + 2 units, and UTF-16 takes no more units than UTF-8 takes
        // bytes (a malformed sequence gives one U+FFFD).
        private static func writeUTF16(of line: Span<UInt8>, to units: UnsafeMutablePointer<UInt16>, at offset: Int) -> Int {
            var end = offset, index = 0
            while index < line.count, line[index] < 0x80 {
                units[end] = UInt16(line[index])
                end += 1
                index += 1
            }
            guard index < line.count else { return end }
            for unit in String(decodingUTF8: line.extracting(index...)).utf16 {
                units[end] = unit
                end += 1
            }
            return end
        }
    }
    #else
    private let expression: NSRegularExpression

    /// Nil when the pattern is not a valid expression.
    init?(_ pattern: String) {
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive, .anchorsMatchLines]) else { return nil }
        self.expression = expression
    }

    /// A matcher to use on one thread at a time.
    func matcher() -> Matcher { Matcher(expression) }

    /// Matches texts against the expression.
    final class Matcher {
        private let expression: NSRegularExpression

        fileprivate init(_ expression: NSRegularExpression) { self.expression = expression }

        /// True when the expression matches somewhere in the text's lines, joined by line breaks.
        func matches(_ text: SearchedText) -> Bool {
            var lines: [String] = []
            text.forEachLine { _, line in lines.append(String(decodingUTF8: line)) }
            let joined = lines.joined(separator: "\n")
            return expression.firstMatch(in: joined, range: NSRange(joined.startIndex..., in: joined)) != nil
        }
    }
    #endif
}
