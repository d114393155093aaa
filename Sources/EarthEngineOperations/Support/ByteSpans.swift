/// The few operations on bytes that the toolchain's `Span` does not offer safely yet: loading a word, copying a
/// span into an array, decoding it as a string and hashing it. The rest of eeops reads bytes through `Span`,
/// whose every access is checked; these helpers are the only way from a span to a pointer outside the C
/// interfaces, and each is checked in the same way.
extension Span where Element == UInt8 {
    /// The 64-bit little-endian word at `offset..<offset + 8`, which must lie within the span.
    // Safe because `RawSpan.unsafeLoadUnaligned` checks that the eight bytes lie within the span, and every bit
    // pattern is a valid UInt64 (the method is marked unsafe only for types without that property).
    @inlinable @inline(__always)
    public func word(at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The order of the two spans' bytes, as `memcmp` and then the length give it: negative, zero or positive.
    @inlinable
    public func compareBytes(_ other: Span<UInt8>) -> Int {
        let common = Swift.min(count, other.count)
        var index = 0
        while index &+ 8 <= common {
            // Byte-swapped, the first differing byte decides the words' order, as it decides the texts'.
            let mine = word(at: index).byteSwapped, theirs = other.word(at: index).byteSwapped
            if mine != theirs { return mine < theirs ? -1 : 1 }
            index &+= 8
        }
        while index < common {
            if self[index] != other[index] { return self[index] < other[index] ? -1 : 1 }
            index &+= 1
        }
        return count == other.count ? 0 : (count < other.count ? -1 : 1)
    }

    /// True when the two spans hold the same bytes.
    @inlinable
    public func equals(_ other: Span<UInt8>) -> Bool {
        guard count == other.count else { return false }
        var index = 0
        while index &+ 8 <= count {
            guard word(at: index) == other.word(at: index) else { return false }
            index &+= 8
        }
        while index < count {
            guard self[index] == other[index] else { return false }
            index &+= 1
        }
        return true
    }

    /// True when the span holds exactly the bytes of `text`.
    @inlinable
    public func equals(_ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == count else { return false }
        return text.withUTF8Buffer { utf8 in
            var index = 0
            while index < count, self[index] == utf8[index] { index &+= 1 }
            return index == count
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends a copy of `span`'s bytes.
    // Safe because the buffer is the span's own memory, lent only for the copy.
    @inlinable
    public mutating func append(span: Span<UInt8>) {
        span.withUnsafeBufferPointer { append(contentsOf: $0) }
    }
}

extension String {
    /// The text of UTF-8 `bytes`, invalid sequences repaired as U+FFFD.
    // Safe because the buffer is the span's own memory, lent only while the string copies it.
    @inlinable
    public init(decodingUTF8 bytes: Span<UInt8>) {
        self = bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }
}

extension Hasher {
    /// Feeds `span`'s bytes to the hasher.
    // Safe because the buffer is the span's own memory, lent only for the call.
    @inlinable
    public mutating func combine(span: Span<UInt8>) {
        span.withUnsafeBytes { combine(bytes: $0) }
    }
}
