import Foundation

/// The shared copies of the strings one document repeats, by their bytes, in a small table that keeps the last
/// string of each slot: the few strings a page of operations repeats thousands of times each stay in it.
final class RepeatedStrings {
    /// Lengths worth sharing (``Shared/string(_:)``), at least 16, so that a string's first and last 8 bytes
    /// can be loaded whole.
    static let lengths = 16...Shared.longestString

    private struct Entry {
        var first: UInt64
        var last: UInt64
        var value: String
    }

    private var slots = [Entry?](repeating: nil, count: 64)

    /// The shared string of these bytes (invalid UTF-8 repaired); `utf8.count` is in ``lengths``, so that the
    /// first and last 8 bytes can be loaded whole.
    func string(_ utf8: Span<UInt8>) -> String {
        let first = utf8.word(at: 0)
        let last = utf8.word(at: utf8.count - 8)
        let slot = Int(truncatingIfNeeded: ((first &+ (last &<< 7 | last &>> 57) ^ UInt64(utf8.count)) &* 0x9E37_79B9_7F4A_7C15) &>> 58)
        if let entry = slots[slot], entry.first == first, entry.last == last, entry.value.utf8.span.equals(utf8) {
            return entry.value
        }
        let value = Shared.string(String(decodingUTF8: utf8))
        slots[slot] = Entry(first: first, last: last, value: value)
        return value
    }
}
