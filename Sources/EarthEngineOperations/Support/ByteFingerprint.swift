extension Span where Element == UInt8 {
    /// A 64-bit fingerprint of the bytes, the same in every process: the decode cache and the history recognise
    /// by it an operation whose bytes did not change. It takes 16 bytes per step (wyhash's multiply-and-fold)
    /// rather than going through `Hasher`, so that fingerprinting every operation of every listing costs little
    /// beside the decoding it spares. Two different operations share one with a chance of about 1 in 10^19 per
    /// pair (the length is mixed in at the start and the end); the server is the source of truth either way.
    public func fingerprint() -> UInt64 {
        func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (high, low) = a.multipliedFullWidth(by: b)
            return high ^ low
        }
        let primes: (UInt64, UInt64, UInt64) = (0xa076_1d64_78bd_642f, 0xe703_7ed1_a0b4_28db, 0x8ebc_6af0_9c88_c6e3)
        var seed = primes.0 ^ UInt64(count)
        var offset = 0
        while offset + 16 <= count {
            let a = word(at: offset)
            let b = word(at: offset + 8)
            seed = fold(a ^ primes.1, b ^ seed)
            offset += 16
        }
        // The last 0 to 15 bytes, little-endian, zero-padded.
        var tail: (UInt64, UInt64) = (0, 0)
        for index in offset..<count {
            let shift = UInt64((index - offset) % 8) * 8
            if index - offset < 8 { tail.0 |= UInt64(self[index]) << shift } else { tail.1 |= UInt64(self[index]) << shift }
        }
        return fold(fold(tail.0 ^ primes.1, tail.1 ^ seed), UInt64(count) ^ primes.2)
    }
}
