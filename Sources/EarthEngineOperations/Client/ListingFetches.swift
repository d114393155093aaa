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

/// The decisions of one listing's page fetches, as a plain value: which page to ask for and when, which tokens
/// were followed, which pages wait for the consumer, whose request went out. Every input goes through
/// ``handle(_:)``, which returns the one thing to do; ``ListingFetches`` does it (starts tasks, resumes waiters),
/// and tests drive the machine without HTTP or time.
///
/// With a `lookahead`, each page is asked for as soon as the page before it is in and its token read, as long as
/// at most `lookahead` pages then wait for the consumer; a page that would make more wait is held until the
/// consumer takes one. A token is followed once per listing: one that comes back is an error, not a loop.
struct ListingFetchMachine {
    enum Input: Equatable {
        /// The consumer asks for the first page.
        case first
        /// The consumer follows `token` to page `index`.
        case follow(token: String, index: Int)
        /// The consumer took page `index`.
        case took(index: Int)
        /// Page `index`, fetched in `generation`, arrived, and its bytes name the next page's token.
        case arrived(index: Int, nextToken: String?, generation: Int)
        /// The request for page `index` went out, or its fetch ended without it.
        case sent(index: Int)
        /// The consumer waits until the request for page `index` went out.
        case awaitSent(index: Int)
        /// Every fetch under way is to be cancelled; fetches started afterwards are not affected.
        case cancelAll
    }

    enum Action: Equatable {
        case none
        /// Ask for page `index` after `token` (nil: the first page), as part of `generation`.
        case fetch(token: String?, index: Int, generation: Int)
        /// The fetch of page `index` is under way: the consumer gets it.
        case useStarted(index: Int)
        /// The server sent a token it had sent before.
        case repeatedToken(pagesFollowed: Int)
        /// Resume whoever waits for page `index`'s request.
        case resumeWaiters(index: Int)
        /// The consumer need not wait: page `index`'s request went out already.
        case resumeNow
        /// The consumer waits for page `index`'s request (``Action/resumeWaiters(index:)`` resumes it).
        case wait(index: Int)
        /// Cancel the fetches of these pages, and resume whoever waits for their requests.
        case cancel(indices: [Int])
    }

    let lookahead: Int
    private(set) var seenTokens = Set<String>()
    /// Pages the consumer has taken.
    private(set) var taken = 0
    /// Fetches of an older generation (started before the last `cancelAll`) start no more.
    private(set) var generation = 0
    /// Pages whose fetch is under way or done and which the consumer has not taken yet.
    private(set) var started = Set<Int>()
    /// A page not asked for because the consumer was too far behind: asked for when it takes one.
    private(set) var held: (token: String, index: Int)?
    /// Pages whose request went out (or whose fetch ended without it), until the consumer takes them.
    private(set) var sent = Set<Int>()

    init(lookahead: Int) { self.lookahead = lookahead }

    mutating func handle(_ input: Input) -> Action {
        switch input {
        case .first:
            return fetch(nil, index: 0)
        case .follow(let token, let index):
            if started.contains(index) { return .useStarted(index: index) }
            guard seenTokens.insert(token).inserted else { return .repeatedToken(pagesFollowed: seenTokens.count) }
            return fetch(token, index: index)
        case .took(let index):
            taken = max(taken, index + 1)
            started.remove(index)
            sent.remove(index)
            guard let page = held, page.index + 1 - taken <= lookahead else { return .none }
            held = nil
            // A repeated token is left to the consumer's `follow`, which reports it.
            guard seenTokens.insert(page.token).inserted else { return .none }
            return fetch(page.token, index: page.index)
        case .arrived(let index, let nextToken, let fetchedIn):
            guard lookahead > 0, let nextToken, fetchedIn == generation else { return .none }
            guard index + 2 - taken <= lookahead else {
                held = (nextToken, index + 1)
                return .none
            }
            // A repeated token is left to the consumer, which finds no page fetched ahead and follows it itself.
            guard seenTokens.insert(nextToken).inserted else { return .none }
            return fetch(nextToken, index: index + 1)
        case .sent(let index):
            sent.insert(index)
            return .resumeWaiters(index: index)
        case .awaitSent(let index):
            // A page with no fetch under way has no request to wait for.
            return sent.contains(index) || !started.contains(index) ? .resumeNow : .wait(index: index)
        case .cancelAll:
            generation += 1
            held = nil
            defer { started = [] }
            return .cancel(indices: started.sorted())
        }
    }

    private mutating func fetch(_ token: String?, index: Int) -> Action {
        started.insert(index)
        return .fetch(token: token, index: index, generation: generation)
    }
}

/// The page fetches of one ``OperationsClient/listAll(project:pageSize:filter:limit:cache:isolation:stopAfter:onPage:)``:
/// runs what ``ListingFetchMachine`` decides. The server works on the next page while the consumer decodes and
/// writes this one, so a long listing goes at the pace of the slower of the two rather than of both in turn.
/// Without a lookahead, the consumer asks for each next page itself.
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

    /// The machine, and the handles of what it decided: the fetch tasks and the consumers waiting for a request.
    private struct State {
        var machine: ListingFetchMachine
        var tasks: [Int: Task<FetchedListPage, any Error>] = [:]
        var waiters: [Int: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state: Locked<State>
    private let reading: Reading
    private let fetch: @Sendable (String?, _ sent: @escaping @Sendable () -> Void) async throws -> HTTPExchange

    /// - Parameters:
    ///   - lookahead: pages that may wait for the consumer; 0 never runs ahead. Running ahead needs the token,
    ///     so it needs a `reading` other than ``Reading/nothing``.
    ///   - reading: what to read of each page as it arrives.
    ///   - fetch: the request for the page after a token (nil for the first page); it calls `sent` once the
    ///     request is written out (``requestSent(_:)``).
    init(lookahead: Int, reading: Reading, fetch: @escaping @Sendable (String?, _ sent: @escaping @Sendable () -> Void) async throws -> HTTPExchange) {
        state = Locked(State(machine: ListingFetchMachine(lookahead: reading == .nothing ? 0 : lookahead)))
        self.reading = reading
        self.fetch = fetch
    }

    /// The fetch of the first page.
    func first() -> Task<FetchedListPage, any Error> {
        state.withLock { state in
            guard case .fetch(let token, let index, let generation) = state.machine.handle(.first) else { preconditionFailure("the first page is always fetched") }
            return start(token, index: index, generation: generation, in: &state)
        }
    }

    /// The fetch of page `index`, which follows `token` (the one already started ahead, if it was); an error when
    /// the server sent that token before.
    func follow(_ token: String, index: Int) throws(OperationsError) -> Task<FetchedListPage, any Error> {
        try state.withLock { state throws(OperationsError) in
            switch state.machine.handle(.follow(token: token, index: index)) {
            case .useStarted(let index):
                // The machine's started pages and the tasks are recorded together, so the task is there.
                if let task = state.tasks[index] { return task }
                return start(token, index: index, generation: state.machine.generation, in: &state)
            case .fetch(let token, let index, let generation):
                return start(token, index: index, generation: generation, in: &state)
            case .repeatedToken(let pages):
                throw .invalidResponse("the server sent the same nextPageToken twice after \(pages) pages; stopped listing to avoid a loop")
            default: // follow decides nothing else
                throw .invalidResponse("the listing could not follow page \(index + 1)")
            }
        }
    }

    /// The consumer took page `index`, so the listing may run further ahead: a page held back meanwhile is
    /// asked for now.
    func took(_ index: Int) {
        state.withLock { state in
            state.tasks[index] = nil
            if case .fetch(let token, let index, let generation) = state.machine.handle(.took(index: index)) {
                _ = start(token, index: index, generation: generation, in: &state)
            }
        }
    }

    /// Returns once the request for page `index` is written out, or waits for something other than this
    /// process's CPU (the limiter's quota, a retry's backoff), or its fetch ended: the consumer waits for it
    /// before spending its CPU on the page before, which could keep the request from going out.
    func requestSent(_ index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = state.withLock { state in
                guard case .wait(let index) = state.machine.handle(.awaitSent(index: index)) else { return true }
                state.waiters[index, default: []].append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }

    /// Cancels every fetch under way, those run ahead included; fetches started afterwards are not affected.
    func cancelAll() {
        let (tasks, waiters) = state.withLock { state in
            guard case .cancel(let indices) = state.machine.handle(.cancelAll) else { preconditionFailure("cancelAll cancels") }
            defer { state.tasks = [:] }
            return (indices.compactMap { state.tasks[$0] }, indices.flatMap { state.waiters.removeValue(forKey: $0) ?? [] })
        }
        for task in tasks { task.cancel() }
        for waiter in waiters { waiter.resume() }
    }

    private func markSent(_ index: Int) {
        let waiting = state.withLock { state in
            guard case .resumeWaiters(let index) = state.machine.handle(.sent(index: index)) else { return [CheckedContinuation<Void, Never>]() }
            return state.waiters.removeValue(forKey: index) ?? []
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Starts the fetch the machine decided and records its task, under the lock (the task runs elsewhere, and
    /// takes the lock itself when it has news).
    private func start(_ token: String?, index: Int, generation: Int, in state: inout State) -> Task<FetchedListPage, any Error> {
        let task = Task { [self] in
            defer { markSent(index) }
            let exchange = try await fetch(token) { [self] in markSent(index) }
            var page = FetchedListPage(exchange: exchange)
            do {
                let bytes = exchange.body.readableBytesUInt8Span
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
            if !Task.isCancelled { page.next = arrived(page.nextPageToken, index: index, generation: generation) }
            return page
        }
        state.tasks[index] = task
        return task
    }

    /// The fetch of the page after page `index`, when the machine runs the listing that far ahead.
    private func arrived(_ token: String?, index: Int, generation: Int) -> Task<FetchedListPage, any Error>? {
        state.withLock { state in
            guard case .fetch(let token, let index, let generation) = state.machine.handle(.arrived(index: index, nextToken: token, generation: generation)) else { return nil }
            return start(token, index: index, generation: generation, in: &state)
        }
    }
}
