/// Searches of UTF-8 text eight bytes at a time, for the loops that spend most of the JSON reader's and
/// writer's time: the plain runs of characters inside strings.
///
/// Each step loads a 64-bit word and sets the high bit of every byte that may match, with the classic
/// bit tricks (Hacker's Delight 6-1): `(w - 0x01…01) & ~w & 0x80…80` is non-zero exactly when a byte of `w` is
/// zero. A flag can be wrong only above a true match (a borrow carries upwards), so the lowest flag is always
/// a true match.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first byte from `start` that ends a plain run inside a JSON string: `"`, `\` or a
    /// C0 control; `bytes.count` when there is none.
    static func firstQuoteBackslashOrControl(in bytes: Span<UInt8>, from start: Int) -> Int {
        first(in: bytes, from: start) { word in
            equal(word, UInt8(ascii: "\"")) | equal(word, UInt8(ascii: "\\")) | below(word, 0x20)
        } matches: { byte in
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
        }
    }

    /// The index of the first byte from `start` that the JSON writer may have to escape: `"`, `\`, a C0
    /// control, DEL, or 0xC2 (the first byte of the C1 controls, and of U+00A0 to U+00BF, which need none);
    /// `bytes.count` when there is none.
    static func firstToEscape(in bytes: Span<UInt8>, from start: Int) -> Int {
        first(in: bytes, from: start) { word in
            equal(word, UInt8(ascii: "\"")) | equal(word, UInt8(ascii: "\\")) | below(word, 0x20) | equal(word, 0x7F) | equal(word, 0xC2)
        } matches: { byte in
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte == 0x7F || byte == 0xC2
        }
    }

    /// The index of the first byte from `start` that is not plain printable ASCII inside a JSON string: `"`,
    /// `\`, a C0 control, DEL, or any byte of a multi-byte character; `bytes.count` when there is none.
    static func firstNotPlainASCII(in bytes: Span<UInt8>, from start: Int) -> Int {
        first(in: bytes, from: start) { word in
            equal(word, UInt8(ascii: "\"")) | equal(word, UInt8(ascii: "\\")) | below(word, 0x20) | equal(word, 0x7F) | (word & highs)
        } matches: { byte in
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x7F
        }
    }

    @inline(__always)
    private static func first(
        in bytes: Span<UInt8>, from start: Int, flags: (UInt64) -> UInt64, matches: (UInt8) -> Bool
    ) -> Int {
        var index = start
        while index &+ 8 <= bytes.count {
            let found = flags(bytes.word(at: index))
            if found != 0 { return index &+ found.trailingZeroBitCount &>> 3 }
            index &+= 8
        }
        while index < bytes.count, !matches(bytes[index]) { index &+= 1 }
        return index
    }

    /// High bits of the bytes of `word` equal to `byte`.
    @inline(__always)
    private static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (ones &* UInt64(byte))
        return (difference &- ones) & ~difference & highs
    }

    /// High bits of the bytes of `word` below `limit` (at most 0x80).
    @inline(__always)
    private static func below(_ word: UInt64, _ limit: UInt8) -> UInt64 {
        (word &- ones &* UInt64(limit)) & ~word & highs
    }
}
