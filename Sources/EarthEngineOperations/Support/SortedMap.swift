/// A map kept as two arrays sorted by key: a look-up is a binary search, and it holds exactly its entries, where a
/// `Dictionary` keeps room for up to twice as many (its buckets double past three quarters full). The indexes of a
/// long history (100,000 operations by name, or by their bytes' fingerprint) take a third of the memory this way.
///
/// Replacing the value of a key that is present costs a search; adding or removing one key moves the entries after
/// it, so batches go through ``merge(_:)`` and ``removeAll(where:)``, which move each entry once.
///
/// Its code is inlinable, so that each module that uses it gets a copy specialised for its keys and values: through
/// the generic entry points, sorting and merging moved every pair through value witnesses, many times slower.
public struct SortedMap<Key: Comparable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline var sortedKeys: [Key] = []
    @usableFromInline var sortedValues: [Value] = []

    /// The keys, ascending, each once.
    @inlinable public var keys: [Key] { sortedKeys }
    /// The value of `keys[i]` at `values[i]`.
    @inlinable public var values: [Value] { sortedValues }

    @inlinable public init() {}

    /// A map of these pairs; of pairs with the same key, the last one's value is kept.
    @inlinable public init(_ pairs: [(Key, Value)]) {
        merge(pairs)
    }

    @inlinable public var count: Int { sortedKeys.count }
    @inlinable public var isEmpty: Bool { sortedKeys.isEmpty }

    /// Where `key` is, or where it would go to keep the keys sorted.
    @inlinable func position(of key: Key) -> (index: Int, found: Bool) {
        var low = 0, high = sortedKeys.count
        while low < high {
            let middle = (low + high) / 2
            if sortedKeys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return (low, low < sortedKeys.count && sortedKeys[low] == key)
    }

    @inlinable public func contains(_ key: Key) -> Bool { position(of: key).found }

    /// The value of `key`; setting nil removes the key, setting a value adds or replaces it.
    @inlinable public subscript(key: Key) -> Value? {
        get {
            let (index, found) = position(of: key)
            return found ? sortedValues[index] : nil
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case (true, let value?): sortedValues[index] = value
            case (true, nil):
                sortedKeys.remove(at: index)
                sortedValues.remove(at: index)
            case (false, let value?):
                sortedKeys.insert(key, at: index)
                sortedValues.insert(value, at: index)
            case (false, nil): break
            }
        }
    }

    /// Changes the value of `key` in place with one search, and returns it as changed; nil when `key` is absent.
    @inlinable @discardableResult
    public mutating func update(_ key: Key, _ change: (inout Value) -> Void) -> Value? {
        let (index, found) = position(of: key)
        guard found else { return nil }
        change(&sortedValues[index])
        return sortedValues[index]
    }

    /// Adds or replaces these pairs, moving each entry once; of pairs with the same key, the last one's value is kept.
    @inlinable public mutating func merge(_ pairs: [(Key, Value)]) {
        guard !pairs.isEmpty else { return }
        // Sorted by key, then by position among equal keys, so that the last of them can be told; the pairs are
        // moved as they are sorted, not copied.
        var incoming = pairs.enumerated().map { (key: $0.element.0, position: $0.offset, value: $0.element.1) }
        incoming.sort { $0.key < $1.key || ($0.key == $1.key && $0.position < $1.position) }
        var mergedKeys: [Key] = [], mergedValues: [Value] = []
        mergedKeys.reserveCapacity(sortedKeys.count + incoming.count)
        mergedValues.reserveCapacity(sortedKeys.count + incoming.count)
        var old = 0, new = 0
        while new < incoming.count {
            // The last of a run of equal keys.
            while new + 1 < incoming.count, incoming[new + 1].key == incoming[new].key { new += 1 }
            let key = incoming[new].key
            while old < sortedKeys.count, sortedKeys[old] < key {
                mergedKeys.append(sortedKeys[old])
                mergedValues.append(sortedValues[old])
                old += 1
            }
            if old < sortedKeys.count, sortedKeys[old] == key { old += 1 } // replaced
            mergedKeys.append(key)
            mergedValues.append(incoming[new].value)
            new += 1
        }
        mergedKeys.append(contentsOf: sortedKeys[old...])
        mergedValues.append(contentsOf: sortedValues[old...])
        sortedKeys = mergedKeys
        sortedValues = mergedValues
    }

    /// Removes the entries for which `shouldRemove` is true, moving each entry once.
    @inlinable public mutating func removeAll(where shouldRemove: (Key, Value) -> Bool) {
        var keptKeys: [Key] = [], keptValues: [Value] = []
        for index in sortedKeys.indices where !shouldRemove(sortedKeys[index], sortedValues[index]) {
            keptKeys.append(sortedKeys[index])
            keptValues.append(sortedValues[index])
        }
        guard keptKeys.count < sortedKeys.count else { return }
        sortedKeys = keptKeys
        sortedValues = keptValues
    }
}
