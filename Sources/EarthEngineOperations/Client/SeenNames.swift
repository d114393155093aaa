/// The operation names a listing has seen, to drop an operation that a later page repeats. Names are compared
/// byte for byte, as the server compares them (a `Set<String>` takes canonically equivalent names for one).
///
/// The names' bytes are kept one after another in one buffer and found through a hash table of indices, so that
/// a listing holds a few arrays rather than a string per operation, and freeing them at its end (before `list`
/// exits, and after each of the TUI poller's full listings) is a few deallocations rather than one per name.
struct SeenNames {
    /// Every name inserted, one after another.
    private var bytes: [UInt8] = []
    /// Where each name starts in `bytes`; it ends where the next one starts.
    private var starts: [Int] = []
    private var hashes: [Int] = []
    /// Open addressing, a power of two long: 0 is empty, else 1 + the index of a name.
    private var slots: [Int32] = []

    var count: Int { starts.count }

    /// Room for `names` names of about 50 bytes without growing.
    mutating func reserveCapacity(_ names: Int) {
        bytes.reserveCapacity(names * 50)
        starts.reserveCapacity(names)
        hashes.reserveCapacity(names)
        if names * 2 > slots.count { rehash(slotCount: Self.slotCount(for: names)) }
    }

    /// Adds `name`; false when it was there already.
    mutating func insert(_ name: String) -> Bool {
        insert(utf8: name.utf8.span)
    }

    private mutating func insert(utf8 name: Span<UInt8>) -> Bool {
        var hasher = Hasher()
        hasher.combine(span: name)
        let hash = hasher.finalize()
        if (count + 1) * 2 > slots.count { rehash(slotCount: Self.slotCount(for: count + 1)) }
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            if hashes[index] == hash, holds(name, at: index) { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(count + 1)
        starts.append(bytes.count)
        hashes.append(hash)
        bytes.append(span: name)
        return true
    }

    /// True when the name at `index` is `name`.
    private func holds(_ name: Span<UInt8>, at index: Int) -> Bool {
        let start = starts[index], end = index + 1 < starts.count ? starts[index + 1] : bytes.count
        return bytes.span.extracting(start..<end).equals(name)
    }

    /// At least twice as many slots as names, and at least 16.
    private static func slotCount(for names: Int) -> Int {
        var slots = 16
        while slots < names * 2 { slots *= 2 }
        return slots
    }

    private mutating func rehash(slotCount: Int) {
        slots = Array(repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for (index, hash) in hashes.enumerated() {
            var slot = hash & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index + 1)
        }
    }
}
