/// A map kept as two arrays sorted by key: a look-up is a binary search, and it holds exactly its entries, where a
/// `Dictionary` keeps room for up to twice as many (its buckets double past three quarters full). The indexes of a
/// long history (100,000 operations by name, or by their bytes' fingerprint) take a third of the memory this way.
///
/// Replacing the value of a key that is present costs a search; adding or removing one key moves the entries after
/// it, so batches go through ``merge(_:)`` and ``removeAll(where:)``, which move each entry once.
public struct SortedMap<Key: Comparable & Sendable, Value: Sendable>: Sendable {
    /// The keys, ascending, each once.
    public private(set) var keys: [Key] = []
    /// The value of `keys[i]` at `values[i]`.
    public private(set) var values: [Value] = []

    public init() {}

    /// A map of these pairs; of pairs with the same key, the last one's value is kept.
    public init(_ pairs: [(Key, Value)]) {
        merge(pairs)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Where `key` is, or where it would go to keep the keys sorted.
    private func position(of key: Key) -> (index: Int, found: Bool) {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return (low, low < keys.count && keys[low] == key)
    }

    public func contains(_ key: Key) -> Bool { position(of: key).found }

    /// The value of `key`; setting nil removes the key, setting a value adds or replaces it.
    public subscript(key: Key) -> Value? {
        get {
            let (index, found) = position(of: key)
            return found ? values[index] : nil
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case (true, let value?): values[index] = value
            case (true, nil):
                keys.remove(at: index)
                values.remove(at: index)
            case (false, let value?):
                keys.insert(key, at: index)
                values.insert(value, at: index)
            case (false, nil): break
            }
        }
    }

    /// Adds or replaces these pairs, moving each entry once; of pairs with the same key, the last one's value is kept.
    public mutating func merge(_ pairs: [(Key, Value)]) {
        guard !pairs.isEmpty else { return }
        // Stable by position, so that the last of equal keys can be told.
        let sorted = pairs.indices.sorted { pairs[$0].0 < pairs[$1].0 || (pairs[$0].0 == pairs[$1].0 && $0 < $1) }
        var mergedKeys: [Key] = [], mergedValues: [Value] = []
        mergedKeys.reserveCapacity(keys.count + pairs.count)
        mergedValues.reserveCapacity(keys.count + pairs.count)
        var old = 0, new = 0
        while old < keys.count || new < sorted.count {
            // The last of a run of equal new keys.
            if new < sorted.count {
                while new + 1 < sorted.count, pairs[sorted[new + 1]].0 == pairs[sorted[new]].0 { new += 1 }
            }
            if new == sorted.count || (old < keys.count && keys[old] < pairs[sorted[new]].0) {
                mergedKeys.append(keys[old])
                mergedValues.append(values[old])
                old += 1
            } else {
                let (key, value) = pairs[sorted[new]]
                if old < keys.count, keys[old] == key { old += 1 } // replaced
                mergedKeys.append(key)
                mergedValues.append(value)
                new += 1
            }
        }
        keys = mergedKeys
        values = mergedValues
    }

    /// Removes the entries for which `shouldRemove` is true, moving each entry once.
    public mutating func removeAll(where shouldRemove: (Key, Value) -> Bool) {
        var keptKeys: [Key] = [], keptValues: [Value] = []
        for index in keys.indices where !shouldRemove(keys[index], values[index]) {
            keptKeys.append(keys[index])
            keptValues.append(values[index])
        }
        guard keptKeys.count < keys.count else { return }
        keys = keptKeys
        values = keptValues
    }
}
