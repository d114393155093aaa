/// One page of a listing as it arrived: what was read of it before decoding, and the fetch of the page after it
/// when the listing ran ahead and already asked for it.
struct FetchedListPage: Sendable {
    var exchange: HTTPExchange
    /// The page's structure, when ``ListingFetches/Reading/structure`` was asked for and the scan was sure of it.
    var scanned: ListPageScanner.Page?
    /// The next page's token as read from the bytes; nil when there is none, or nothing was read, or the bytes
    /// were not plain enough to be sure (the decoder then decides).
    var nextPageToken: String?
    var next: Task<FetchedListPage, any Error>?
}

/// The page fetches of one ``OperationsClient/listAll(project:pageSize:filter:limit:cache:isolation:stopAfter:onPage:)``.
///
/// With a `lookahead`, each page is asked for as soon as the page before it is in and its token read from its
/// bytes, without waiting for the consumer, as long as at most `lookahead` pages then wait for it. The server
/// works on the next page while the consumer decodes and writes this one, so a long listing goes at the pace
/// of the slower of the two rather than of both in turn. Without one, the consumer asks for each next page
/// itself.
///
/// Page tokens are remembered across the listing: one that comes back is never followed twice.
final class ListingFetches: Sendable {
    /// What is read of each page's bytes as it arrives, before the consumer decodes it.
    enum Reading {
        /// Nothing: the consumer asks for each next page after decoding the one before.
        case nothing
        /// The next page's token where servers put it, first or last in the page (``ListPageScanner/nextPageToken(_:)``),
        /// read from the page's ends alone, so that the next request waits for no extra pass over the page, and a
        /// page without a token (every listing's last) is not read twice. A token elsewhere is left to the
        /// consumer, which asks for that page itself once it has read this one.
        case token
        /// The whole structure (``ListPageScanner/scan(_:)``), for a decode cache, and the token with it.
        case structure
    }

    private struct State {
        var seenTokens = Set<String>()
        /// Pages the consumer has taken.
        var taken = 0
        /// Fetches started before the last ``cancelAll()`` belong to an older generation and start no more.
        var generation = 0
        /// Fetches whose page the consumer has not taken yet, by page index.
        var pending: [Int: Task<FetchedListPage, any Error>] = [:]
        /// A page a fetch could not ask for, because the consumer was too far behind: asked for by ``took(_:)``
        /// once the consumer catches up, so that the listing keeps running ahead.
        var held: (token: String, index: Int)?
        /// Pages whose request went out (or whose fetch ended without it), and those waiting to hear of it.
        var sent = Set<Int>()
        var awaitingSent: [Int: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Locked(State())
    private let lookahead: Int
    private let reading: Reading
    private let fetch: @Sendable (String?, _ sent: @escaping @Sendable () -> Void) async throws -> HTTPExchange

    /// - Parameters:
    ///   - lookahead: pages that may wait for the consumer; 0 never runs ahead. Running ahead needs the token,
    ///     so it needs a `reading` other than ``Reading/nothing``.
    ///   - reading: what to read of each page as it arrives.
    ///   - fetch: the request for the page after a token (nil for the first page); it calls `sent` once the
    ///     request is written out (``requestSent(_:)``).
    init(lookahead: Int, reading: Reading, fetch: @escaping @Sendable (String?, _ sent: @escaping @Sendable () -> Void) async throws -> HTTPExchange) {
        self.lookahead = reading == .nothing ? 0 : lookahead
        self.reading = reading
        self.fetch = fetch
    }

    /// The fetch of the first page.
    func first() -> Task<FetchedListPage, any Error> {
        start(nil, index: 0, generation: state.withLock { $0.generation })
    }

    /// The fetch of page `index`, which follows `token` (the one ``took(_:)`` already started, if it did); an
    /// error when the server sent that token before.
    func follow(_ token: String, index: Int) throws -> Task<FetchedListPage, any Error> {
        let (started, generation) = try state.withLock { state throws(OperationsError) in
            if let started = state.pending[index] { return (Optional(started), state.generation) }
            guard state.seenTokens.insert(token).inserted else {
                throw .invalidResponse("the server sent the same nextPageToken twice after \(state.seenTokens.count) pages; stopped listing to avoid a loop")
            }
            return (nil, state.generation)
        }
        return started ?? start(token, index: index, generation: generation)
    }

    /// The consumer took page `index`, so the listing may run further ahead: a page held back meanwhile is
    /// asked for now.
    func took(_ index: Int) {
        let resumed = state.withLock { state -> (token: String, index: Int, generation: Int)? in
            state.taken = max(state.taken, index + 1)
            state.pending[index] = nil
            state.sent.remove(index)
            guard let held = state.held, held.index + 1 - state.taken <= lookahead else { return nil }
            state.held = nil
            // A repeated token is left to the consumer's `follow`, which reports it.
            return state.seenTokens.insert(held.token).inserted ? (held.token, held.index, state.generation) : nil
        }
        if let resumed { _ = start(resumed.token, index: resumed.index, generation: resumed.generation) }
    }

    /// Returns once the request for page `index` is written out, or waits for something other than this
    /// process's CPU (the limiter's quota, a retry's backoff), or its fetch ended: the consumer waits for it
    /// before spending its CPU on the page before, which could keep the request from going out.
    func requestSent(_ index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = state.withLock { state in
                if state.sent.contains(index) { return true }
                state.awaitingSent[index, default: []].append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }

    private func markSent(_ index: Int) {
        let waiting = state.withLock { state in
            state.sent.insert(index)
            return state.awaitingSent.removeValue(forKey: index) ?? []
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Cancels every fetch under way, those run ahead included; fetches started afterwards are not affected.
    func cancelAll() {
        let tasks = state.withLock { state in
            state.generation += 1
            state.held = nil
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for task in tasks { task.cancel() }
    }

    private func start(_ token: String?, index: Int, generation: Int) -> Task<FetchedListPage, any Error> {
        let task = Task { [self] in
            defer { markSent(index) }
            let exchange = try await fetch(token) { [self] in markSent(index) }
            var page = FetchedListPage(exchange: exchange)
            // Safe because the body holds plain bytes, read as UInt8 only inside the closure; the scan keeps ranges and
            // copied Strings, never the pointer.
            exchange.body.withUnsafeReadableBytes { raw in
                let bytes = raw.assumingMemoryBound(to: UInt8.self)
                switch reading {
                case .nothing:
                    break
                case .token:
                    page.nextPageToken = ListPageScanner.nextPageToken(bytes)
                case .structure:
                    page.scanned = ListPageScanner.scan(bytes)
                    page.nextPageToken = page.scanned?.nextPageToken
                }
            }
            page.next = runAhead(after: page.nextPageToken, index: index, generation: generation)
            return page
        }
        let current = state.withLock { state in
            guard state.generation == generation else { return false }
            state.pending[index] = task
            return true
        }
        if !current { task.cancel() }
        return task
    }

    /// The fetch of the page after page `index`, when the listing may run that far ahead: pages `taken` to
    /// `index + 1` would then wait for the consumer. When the consumer is too far behind, the page is held for
    /// ``took(_:)`` to ask for; otherwise (a repeated token) the consumer finds it when it takes page `index`.
    private func runAhead(after token: String?, index: Int, generation: Int) -> Task<FetchedListPage, any Error>? {
        guard lookahead > 0, let token, !Task.isCancelled else { return nil }
        let allowed = state.withLock { state in
            guard state.generation == generation else { return false }
            guard index + 2 - state.taken <= lookahead else {
                state.held = (token, index + 1)
                return false
            }
            return state.seenTokens.insert(token).inserted
        }
        return allowed ? start(token, index: index + 1, generation: generation) : nil
    }
}
