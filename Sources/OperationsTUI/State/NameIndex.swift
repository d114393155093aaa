/// Where each name is in an array of names, kept as the names' hashes in ascending order with their positions:
/// 12 bytes a name, where a `Dictionary` of 100,000 names reserves room for twice as many entries of 20 bytes,
/// and built by sorting integers, not the names (which, in one project, share their first 33 bytes).
/// A look-up is a binary search for the hash, then a comparison of the names that have it.
struct NameIndex: Sendable {
    private var hashes: [Int] = []
    /// `positions[i]` is where the name of `hashes[i]` is.
    private var positions: [Int32] = []

    init() {}

    var count: Int { hashes.count }

    /// Where `name` is among `names` (the array this index was built over), if it is.
    func position(of name: String, in names: [String]) -> Int32? {
        let hash = name.hashValue
        var low = 0, high = hashes.count
        while low < high {
            let middle = (low + high) / 2
            if hashes[middle] < hash { low = middle + 1 } else { high = middle }
        }
        while low < hashes.count, hashes[low] == hash {
            if names[Int(positions[low])] == name { return positions[low] }
            low += 1
        }
        return nil
    }

    /// Adds `names[range]`, which follow the names already indexed; a name already among them is not added again,
    /// nor the second of one named twice in the range. Returns the positions left out that way.
    mutating func add(_ range: Range<Int>, of names: [String]) -> [Int] {
        var incoming = range.map { (hash: names[$0].hashValue, position: Int32($0)) }
        incoming.sort { $0.hash < $1.hash || ($0.hash == $1.hash && $0.position < $1.position) }
        var repeated: [Int] = []
        var mergedHashes: [Int] = [], mergedPositions: [Int32] = []
        mergedHashes.reserveCapacity(hashes.count + incoming.count)
        mergedPositions.reserveCapacity(hashes.count + incoming.count)
        var old = 0
        for (index, new) in incoming.enumerated() {
            while old < hashes.count, hashes[old] < new.hash {
                mergedHashes.append(hashes[old])
                mergedPositions.append(positions[old])
                old += 1
            }
            // Names with this hash so far: the old ones not yet moved, and the new ones before this one.
            let name = names[Int(new.position)]
            let earlierOld = hashes[old...].prefix { $0 == new.hash }.indices.contains { names[Int(positions[$0])] == name }
            let earlierNew = incoming[..<index].reversed().prefix { $0.hash == new.hash }.contains { names[Int($0.position)] == name }
            if earlierOld || earlierNew {
                repeated.append(Int(new.position))
                continue
            }
            mergedHashes.append(new.hash)
            mergedPositions.append(new.position)
        }
        mergedHashes.append(contentsOf: hashes[old...])
        mergedPositions.append(contentsOf: positions[old...])
        hashes = mergedHashes
        positions = mergedPositions
        return repeated
    }
}
