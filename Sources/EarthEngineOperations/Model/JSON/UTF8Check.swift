/// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates, or values past U+10FFFF (the
/// Unicode standard's table 3-7).
enum UTF8Check {
    static func isValid(_ bytes: Span<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            // ASCII eight bytes at a time.
            if index + 8 <= bytes.count, bytes.word(at: index) & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
            guard let length = characterLength(bytes, at: index) else { return false }
            index += length
        }
        return true
    }

    /// The length of the well-formed character at `index` (< `bytes.count`), nil when it is not one.
    static func characterLength(_ bytes: Span<UInt8>, at index: Int) -> Int? {
        let length: Int, second: ClosedRange<UInt8>
        switch bytes[index] {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
        case 0xED: (length, second) = (3, 0x80...0x9F)
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
        case 0xF4: (length, second) = (4, 0x80...0x8F)
        default: return nil
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return nil }
        return length
    }
}
