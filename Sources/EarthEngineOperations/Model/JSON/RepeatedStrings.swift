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

    /// The shared string of these bytes (invalid UTF-8 repaired); `utf8.count` is in ``lengths``.
    // Safe because callers pass 16 or more bytes (a length in `lengths`, which JSONReader checks), so both 8-byte
    // loads and the memcmp are in bounds; the bytes are read only during the call, and the String is a copy.
    func string(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        let raw = UnsafeRawBufferPointer(utf8)
        let first = raw.loadUnaligned(as: UInt64.self)
        let last = raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self)
        let slot = Int(truncatingIfNeeded: ((first &+ (last &<< 7 | last &>> 57) ^ UInt64(raw.count)) &* 0x9E37_79B9_7F4A_7C15) &>> 58)
        if let entry = slots[slot], entry.first == first, entry.last == last,
           entry.value.utf8.withContiguousStorageIfAvailable({ $0.count == raw.count && memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }) == true {
            return entry.value
        }
        let value = Shared.string(String(decoding: utf8, as: UTF8.self))
        slots[slot] = Entry(first: first, last: last, value: value)
        return value
    }
}
