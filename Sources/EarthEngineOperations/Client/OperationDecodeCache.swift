import Foundation

/// Remembers the operations decoded from recent listings by the exact bytes they came in, so that a
/// listing repeated every few seconds decodes only the operations that changed (in a large project, the
/// few that are active) and reuses the rest. The poller keeps one; `OperationsClient.listAll` fills it.
///
/// Entries not seen in the last two listings are dropped, so it holds about one project's worth. With
/// ``FinishedOperations/summary``, it keeps and gives finished operations as summaries (``LongRunningOperation/summarized()``),
/// so that no copy of their details stays in memory.
public final class OperationDecodeCache: Sendable {
    /// What is kept of an operation that is done.
    public enum FinishedOperations: Sendable {
        /// The whole operation, as the server sent it.
        case whole
        /// Its summary: no stages, script, destinations or notifications.
        case summary
    }

    /// What is kept of an operation that is done.
    public let finishedOperations: FinishedOperations

    private struct Entry {
        var operation: LongRunningOperation
        /// The listing that last held it (a listing every second for 68 years before it wraps).
        var pass: Int32
    }

    /// Operations by the ``Swift/Span/fingerprint()`` of their bytes: `entries` as of the last complete listing, sorted
    /// (a third of a `Dictionary`'s memory in a long history), and `fresh`, those decoded since, merged into
    /// `entries` when a complete listing ends.
    private struct State {
        var entries = SortedMap<UInt64, Entry>()
        var fresh: [UInt64: Entry] = [:]
        var pass: Int32 = 0
        var hits = 0
        var misses = 0
    }

    private let state = Locked(State())

    public init(finishedOperations: FinishedOperations = .whole) {
        self.finishedOperations = finishedOperations
    }

    /// The form in which an operation is kept and given: its summary once done, when the cache keeps summaries.
    /// Every operation the cache's owner holds goes through here, whether it came from a listing or a `get`.
    public func retained(_ operation: LongRunningOperation) -> LongRunningOperation {
        finishedOperations == .summary ? operation.summarized() : operation
    }

    /// Decoded and reused operations so far, for benchmarks and tests.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// Starts a listing: what the previous listings held stays until `endListing`.
    func beginListing() { state.withLock { $0.pass += 1 } }

    /// Ends a complete listing: forgets the operations it and the one before did not hold.
    func endListing() {
        state.withLock { state in
            let oldest = state.pass - 1
            state.entries.merge(state.fresh.map { ($0.key, $0.value) })
            state.fresh = [:]
            state.entries.removeAll { $1.pass < oldest }
        }
    }

    /// Reads a list page that `ListPageScanner` read as `scanned`, reusing operations whose bytes are
    /// unchanged; nil when an element is not JSON (the caller then reads the page whole, which also
    /// explains the error). A page the scanner cannot read is read whole by the caller too.
    /// `page` must have been scanned from these same bytes.
    func decodePage(_ bytes: Span<UInt8>, scanned page: ListPageScanner.Page) -> ListOperationsResponse? {
        var keys: [UInt64] = []
        keys.reserveCapacity(page.elements.count)
        for range in page.elements { keys.append(bytes.extracting(range).fingerprint()) }
        var operations = [LongRunningOperation?](repeating: nil, count: keys.count)
        let missing: [Int] = state.withLock { state in
            var missing: [Int] = []
            let pass = state.pass
            for (index, key) in keys.enumerated() {
                if let entry = state.entries.update(key, { $0.pass = pass }) {
                    operations[index] = entry.operation
                } else if var entry = state.fresh[key] {
                    entry.pass = state.pass
                    state.fresh[key] = entry
                    operations[index] = entry.operation
                } else {
                    missing.append(index)
                }
            }
            state.hits += keys.count - missing.count
            state.misses += missing.count
            return missing
        }
        for index in missing {
            // An element that is not an operation is left out, as when the page is read whole; one that is not
            // JSON fails the page, which the caller then reads whole to explain.
            let element = bytes.extracting(page.elements[index])
            do {
                operations[index] = try JSONReader.readDocument(element) { reader throws(JSONReadError) in try LongRunningOperation.read(from: &reader) }
                    .map(retained)
            } catch {
                return nil
            }
        }
        if !missing.isEmpty {
            state.withLock { state in
                for index in missing {
                    if let operation = operations[index] { state.fresh[keys[index]] = Entry(operation: operation, pass: state.pass) }
                }
            }
        }
        return ListOperationsResponse(operations: operations.compactMap { $0 }, nextPageToken: page.nextPageToken)
    }
}
