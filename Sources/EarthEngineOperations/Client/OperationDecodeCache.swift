import Foundation
import Synchronization

/// Remembers the operations decoded from recent listings by the exact bytes they came in, so that a
/// listing repeated every few seconds decodes only the operations that changed (in a large project, the
/// few that are active) and reuses the rest. The poller keeps one; `OperationsClient.listAll` fills it.
///
/// Entries not seen in the last two listings are dropped, so it holds about one project's worth.
public final class OperationDecodeCache: Sendable {
    private struct Key: Hashable {
        var hash: Int
        var length: Int
    }

    private struct Entry {
        var operation: LongRunningOperation
        var pass: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var pass = 0
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Decoded and reused operations so far, for benchmarks and tests.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// Starts a listing: what the previous listings held stays until `endListing`.
    func beginListing() { state.withLock { $0.pass += 1 } }

    /// Ends a complete listing: forgets the operations it and the one before did not hold.
    func endListing() {
        state.withLock { state in
            let oldest = state.pass - 1
            state.entries = state.entries.filter { $0.value.pass >= oldest }
        }
    }

    /// Decodes a list page, reusing operations whose bytes are unchanged; nil when the page's shape is not
    /// the plain one (the caller then decodes it whole, which also explains any error).
    func decodePage(_ bytes: UnsafeBufferPointer<UInt8>) -> ListOperationsResponse? {
        guard let page = ListPageScanner.scan(bytes) else { return nil }
        let keys = page.elements.map { range -> Key in
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range])))
            return Key(hash: hasher.finalize(), length: range.count)
        }
        var operations = [LongRunningOperation?](repeating: nil, count: keys.count)
        let missing: [Int] = state.withLock { state in
            var missing: [Int] = []
            for (index, key) in keys.enumerated() {
                if var entry = state.entries[key] {
                    entry.pass = state.pass
                    state.entries[key] = entry
                    operations[index] = entry.operation
                } else {
                    missing.append(index)
                }
            }
            state.hits += keys.count - missing.count
            state.misses += missing.count
            return missing
        }
        if !missing.isEmpty {
            // The changed ones are decoded together, exactly as a page of their own would be.
            var document = Array("{\"operations\":[".utf8)
            for (position, index) in missing.enumerated() {
                if position > 0 { document.append(UInt8(ascii: ",")) }
                document.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[page.elements[index]]))
            }
            document.append(contentsOf: "]}".utf8)
            // A malformed element is dropped by the lenient decoder; positions would no longer match.
            guard let decoded = try? JSONDecoder().decode(ListOperationsResponse.self, from: Data(document)),
                  decoded.operations.count == missing.count else { return nil }
            state.withLock { state in
                for (position, index) in missing.enumerated() {
                    operations[index] = decoded.operations[position]
                    state.entries[keys[index]] = Entry(operation: decoded.operations[position], pass: state.pass)
                }
            }
        }
        return ListOperationsResponse(operations: operations.map { $0! }, nextPageToken: page.nextPageToken)
    }
}
