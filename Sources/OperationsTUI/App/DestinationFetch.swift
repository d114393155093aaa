import EarthEngineOperations
import OperationsPresentation

/// Fetches the destination URIs of finished operations that the table keeps as summaries, for `C`: in the
/// order given, a few at a time, at the `--budget` rate, and no further than the clipboard can take.
enum DestinationFetch {
    /// Requests at once.
    static let concurrency = 4

    /// The URIs of each of `names` asked for, nil where the fetch failed. Stops asking once the URIs fill the
    /// clipboard's sequence (``ClipboardSequence/limit``) with the `knownBytes` that the table's own URIs take:
    /// `*` then `C` over a long history costs as many requests as the clipboard has room for, not one per row.
    /// `get` fetches one operation's URIs (nil when it fails); `requestsPerSecond` paces the starts.
    static func run(_ names: [OperationName], knownBytes: Int = 0, requestsPerSecond: Double,
                    get: @escaping @Sendable (OperationName) async -> [String]?) async -> [String: [String]?] {
        let limiter = RequestLimiter(maxInFlight: concurrency, requestsPerSecond: requestsPerSecond, burst: concurrency)
        var fetched: [String: [String]?] = [:]
        var bytes = knownBytes
        var next = names.startIndex
        while next < names.endIndex, bytes < ClipboardSequence.limit {
            let batch = names[next..<min(names.endIndex, next + concurrency)]
            next = batch.endIndex
            let answers = await withTaskGroup(of: (String, [String]?).self) { group in
                for name in batch {
                    group.addTask {
                        let uris = try? await limiter.withPermit { await get(name) }
                        return (name.description, uris.flatMap { $0 })
                    }
                }
                return await group.reduce(into: [(String, [String]?)]()) { $0.append($1) }
            }
            for (name, uris) in answers {
                fetched[name] = .some(uris)
                bytes += (uris ?? []).reduce(0) { $0 + $1.utf8.count + 1 }
            }
        }
        return fetched
    }
}
