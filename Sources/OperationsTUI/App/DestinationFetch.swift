import EarthEngineOperations
import OperationsPresentation

/// Fetches the destination URIs of finished operations that the table keeps as summaries, for `C`: in the
/// order given, a few at a time, at the `--budget` rate, and no further than the clipboard can take.
enum DestinationFetch {
    /// Requests at once.
    static let concurrency = 4

    /// The URIs of `names` (those whose fetch failed are left out). Stops starting fetches once the URIs fetched
    /// fill the clipboard's sequence (``ClipboardSequence/limit``): `*` then `C` over a long history costs as
    /// many requests as the clipboard has room for, not one per row. `get` fetches one operation's URIs (nil
    /// when it fails); `requestsPerSecond` paces the starts.
    static func run(_ names: [OperationName], requestsPerSecond: Double,
                    get: @escaping @Sendable (OperationName) async -> [String]?) async -> [String: [String]] {
        let limiter = RequestLimiter(maxInFlight: concurrency, requestsPerSecond: requestsPerSecond, burst: concurrency)
        var fetched: [String: [String]] = [:]
        var bytes = 0
        var next = names.startIndex
        while next < names.endIndex, bytes < ClipboardSequence.limit {
            let batch = names[next..<min(names.endIndex, next + concurrency)]
            next = batch.endIndex
            let answers = await withTaskGroup(of: (String, [String])?.self) { group in
                for name in batch {
                    group.addTask {
                        let uris = try? await limiter.withPermit { await get(name) }
                        return uris.flatMap { $0 }.map { (name.description, $0) }
                    }
                }
                return await group.reduce(into: [(String, [String])]()) { if let answer = $1 { $0.append(answer) } }
            }
            for (name, uris) in answers {
                fetched[name] = uris
                bytes += uris.reduce(0) { $0 + $1.utf8.count + 1 }
            }
        }
        return fetched
    }
}
