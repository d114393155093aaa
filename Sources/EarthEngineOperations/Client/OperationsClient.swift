import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A client of the Earth Engine Operations REST API (`projects.operations`): list, get, cancel, delete
/// and wait, for API versions v1, v1beta and v1alpha.
///
/// Every request goes through the quota limiter and is retried on 429, 500, 502, 503, 504 and connection
/// failures with exponential backoff, honouring `Retry-After`. Errors arrive as ``OperationsError``.
public final class OperationsClient: Sendable {
    /// How the client talks to the service.
    public struct Configuration: Sendable {
        public var endpoint: ServiceEndpoint
        public var apiVersion: APIVersion
        public var retryPolicy: RetryPolicy
        /// Requests in flight at once (the API allows 40 per project).
        public var maxInFlight: Int
        /// Average request rate (the API allows 100 per second per project).
        public var requestsPerSecond: Double
        /// The deadline of one attempt of an ordinary request.
        public var requestTimeout: Duration
        /// Sent as the `User-Agent` of every request (eeops sends `eeops/VERSION`).
        public var userAgent: String
        /// Told about each retry before its wait, e.g. to show "retrying in 8s".
        public var onRetry: (@Sendable (RetryNotice) -> Void)?
        /// Sent as `X-Goog-User-Project` instead of the request's project (an ADC file's quota_project_id).
        public var quotaProject: String?

        public init(
            endpoint: ServiceEndpoint = .production, apiVersion: APIVersion = .v1, retryPolicy: RetryPolicy = RetryPolicy(),
            maxInFlight: Int = 40, requestsPerSecond: Double = 100, requestTimeout: Duration = .seconds(60),
            userAgent: String = "eeops",
            onRetry: (@Sendable (RetryNotice) -> Void)? = nil
        ) {
            self.endpoint = endpoint
            self.apiVersion = apiVersion
            self.retryPolicy = retryPolicy
            self.maxInFlight = maxInFlight
            self.requestsPerSecond = requestsPerSecond
            self.requestTimeout = requestTimeout
            self.userAgent = userAgent
            self.onRetry = onRetry
        }
    }

    /// A retry about to happen.
    public struct RetryNotice: Sendable {
        public var method: String
        public var path: String
        public var attempt: Int
        public var error: OperationsError
        public var delay: Duration
    }

    /// Counters of what the client did, for benchmarks and the status line.
    public struct Statistics: Sendable, Equatable {
        public var requests = 0
        public var retries = 0
        public var responses429 = 0
    }

    public let configuration: Configuration
    public let tokenProvider: any AccessTokenProvider
    private let transport: HTTPTransport
    private let limiter: RequestLimiter
    private let logger: Logger
    private let counters = Locked(Statistics())

    public init(configuration: Configuration, tokenProvider: any AccessTokenProvider, logger: Logger = Logger(label: "eeops.client")) {
        self.configuration = configuration
        self.tokenProvider = tokenProvider
        self.transport = HTTPTransport.shared
        self.limiter = RequestLimiter(maxInFlight: configuration.maxInFlight, requestsPerSecond: configuration.requestsPerSecond)
        self.logger = logger
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    private let clockOffset = Locked<Double?>(nil)

    /// How many seconds the server's clock (its answers' `Date` header) is ahead of this machine's; negative
    /// when behind; nil before the first answer. Accurate to about a second.
    public var serverClockOffset: Double? { clockOffset.withLock { $0 } }

    // MARK: - The five methods

    /// One page of `projects.operations.list`.
    public func listPage(project: String, pageSize: Int? = nil, pageToken: String? = nil, filter: String? = nil) async throws(OperationsError) -> ListOperationsResponse {
        try decodeListPage(try await fetchListPage(project: project, pageSize: pageSize, pageToken: pageToken, filter: filter), scanned: nil, cache: nil)
    }

    private func fetchListPage(project: String, pageSize: Int?, pageToken: String?, filter: String?,
                               sent: (@Sendable () -> Void)? = nil) async throws(OperationsError) -> HTTPExchange {
        do { try ProjectID.validate(project) } catch { throw .invalidName(error) }
        var query: [(String, String)] = []
        if let pageSize { query.append(("pageSize", String(pageSize))) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        if let filter { query.append(("filter", filter)) }
        let path = "projects/\(OperationName.percentEncode(project))/operations"
        return try await send(.GET, path: path, query: query, project: project, sent: sent)
    }

    /// Decodes a page, only the operations `cache` does not already hold when the page was `scanned`.
    private func decodeListPage(_ exchange: HTTPExchange, scanned: ListPageScanner.Page?, cache: OperationDecodeCache?) throws(OperationsError) -> ListOperationsResponse {
        // `scanned` was read from this same body, so its ranges lie within it.
        if let cache, let scanned, let page = cache.decodePage(exchange.body.readableBytesUInt8Span, scanned: scanned) {
            return page
        }
        var page = try decode(ListOperationsResponse.self, exchange)
        if let cache { page.operations = page.operations.map(cache.retained) }
        return page
    }

    /// Every operation of a project, page after page, handing each page to `onPage` as it arrives.
    ///
    /// Each next page is requested as soon as its token is known (read from the page's bytes before the page is
    /// decoded), so that the server works on it while this client decodes the pages before and `onPage`
    /// handles them: up to two pages ahead of `onPage` without a `limit` or `stopAfter`, one otherwise
    /// (``ListingFetches``). Operations already seen on an earlier page are dropped; a page token that repeats,
    /// or pages that keep coming without new operations, stop the listing with an error instead of looping for
    /// ever. With a `cache` (the poller's), operations whose JSON is unchanged since the last listings are
    /// reused instead of decoded again.
    ///
    /// `stopAfter` sees each page that has a next one before `onPage` does, and before the next page is
    /// requested: true ends the listing there (the poller's short listings).
    /// - Returns: the number of operations delivered.
    @discardableResult
    public func listAll(
        project: String, pageSize: Int = 1000, filter: String? = nil, limit: Int? = nil, cache: OperationDecodeCache? = nil,
        isolation: isolated (any Actor)? = #isolation,
        stopAfter: (([LongRunningOperation]) -> Bool)? = nil,
        onPage: ([LongRunningOperation]) async throws -> Void
    ) async throws -> Int {
        cache?.beginListing()
        // Pages are scanned for the cache, and read for the token of the next page, which is asked for before the
        // page is decoded unless the caller may stop early.
        let (delivered, complete) = try await listPages(
            project: project, pageSize: pageSize, filter: filter, limit: limit,
            reading: cache != nil ? .structure : stopAfter == nil ? .token : .nothing,
            stopAfter: stopAfter.map { stop in { (page: ListOperationsResponse) in stop(page.operations) } },
            read: { (fetched) throws(OperationsError) in try self.decodeListPage(fetched.exchange, scanned: fetched.scanned, cache: cache) },
            onPage: { try await onPage($0.operations) }
        )
        if complete { cache?.endListing() }
        return delivered
    }

    /// Every operation of a project as the server sent it, page after page: ``listAll(project:pageSize:filter:limit:cache:isolation:stopAfter:onPage:)``
    /// without decoding, for output that keeps every field the server sent (``ReceivedPage``): each page is read
    /// once, its operations copied compact and their names read on the way (``JSONCompactor``). A page the
    /// compactor is not sure of is decoded as usual (which repairs or explains), and its operations written again
    /// as the model has them.
    /// - Returns: the number of operations delivered.
    @discardableResult
    public func listAllReceived(
        project: String, pageSize: Int = 1000, filter: String? = nil, limit: Int? = nil,
        isolation: isolated (any Actor)? = #isolation,
        onPage: (ReceivedPage) async throws -> Void
    ) async throws -> Int {
        try await listPages(
            project: project, pageSize: pageSize, filter: filter, limit: limit, reading: .token, stopAfter: nil,
            read: { (fetched) throws(OperationsError) in
                if let page = ReceivedPage(page: fetched.exchange.body.readableBytesUInt8Span) { return page }
                return ReceivedPage(try self.decodeListPage(fetched.exchange, scanned: nil, cache: nil))
            },
            onPage: onPage
        ).delivered
    }

    /// The listing loop of ``listAll(project:pageSize:filter:limit:cache:isolation:stopAfter:onPage:)`` and
    /// ``listAllReceived(project:pageSize:filter:limit:isolation:onPage:)``, over pages that `read` makes.
    /// Returns the operations delivered, and whether the listing reached its last page.
    private func listPages<Page: ListedPage>(
        project: String, pageSize: Int, filter: String?, limit: Int?, reading: ListingFetches.Reading,
        isolation: isolated (any Actor)? = #isolation,
        stopAfter: ((Page) -> Bool)?,
        read: (FetchedListPage) throws(OperationsError) -> Page,
        onPage: (Page) async throws -> Void
    ) async throws -> (delivered: Int, complete: Bool) {
        var seenNames = SeenNames()
        var pagesWithoutNews = 0
        let fetches = ListingFetches(lookahead: stopAfter == nil && limit == nil ? 2 : 0, reading: reading) { token, sent in
            try await self.fetchListPage(project: project, pageSize: pageSize, pageToken: token, filter: filter, sent: sent)
        }
        defer { fetches.cancelAll() }
        var ahead: Task<FetchedListPage, any Error>? = fetches.first()
        var index = 0
        var delivered = 0
        while let current = ahead {
            let fetched = try await current.value
            fetches.took(index)
            index += 1
            ahead = fetched.next
            var early = ahead == nil ? nil : fetched.nextPageToken
            if ahead == nil, stopAfter == nil, limit.map({ delivered < $0 }) ?? true, let token = fetched.nextPageToken {
                ahead = try fetches.follow(token, index: index)
                early = token
            }
            // The next page's request is written out before this page is read, so that reading it, on a machine of
            // few cores, cannot keep the event loop that writes the request from running (docs/benchmarks.md).
            if ahead != nil { await fetches.requestSent(index) }
            let page = try read(fetched)
            let names = page.names
            // A listing that goes past its first page gets room for ten pages' names at once (pages hold at most
            // 1,000), so that the set is not rehashed each time it doubles over those pages.
            if index == 1, page.nextPageToken != nil { seenNames.reserveCapacity(min(limit ?? .max, 10 * min(pageSize, 1000))) }
            var kept = names.indices.filter { seenNames.insert(names[$0]) }
            if let limit, delivered + kept.count > limit { kept = Array(kept.prefix(limit - delivered)) }
            let fresh = kept.count == names.count ? page : page.selecting(kept)
            var stopped = false
            // The decoder's token is the one followed. When no fetch ahead follows it (none was started, as for every
            // page under `stopAfter` or without a token read from its bytes, or the scanner read another token),
            // whatever runs ahead is dropped, and the page the decoder names, if any, is asked for here unless
            // `stopAfter` ends the listing.
            if page.nextPageToken != early {
                fetches.cancelAll()
                ahead = nil
                if let next = page.nextPageToken {
                    stopped = stopAfter?(fresh) ?? false
                    if !stopped { ahead = try fetches.follow(next, index: index) }
                }
            }
            if !kept.isEmpty { try await onPage(fresh) }
            delivered += kept.count
            if stopped { return (delivered, false) }
            if let limit, delivered >= limit { break }
            pagesWithoutNews = kept.isEmpty ? pagesWithoutNews + 1 : 0
            guard ahead == nil || pagesWithoutNews < 5 else {
                throw OperationsError.invalidResponse("the server kept sending pages with no new operations (\(index) pages); stopped listing")
            }
        }
        return (delivered, ahead == nil)
    }

    /// Makes the process's HTTP client (its event-loop thread and connection pool) on a thread of its own, so
    /// that a command that will send requests has it made while it parses its arguments, not before its first
    /// request.
    public static func prepareTransportInBackground() {
        HTTPTransport.prepareInBackground()
    }

    /// `projects.operations.get`.
    public func get(_ name: OperationName) async throws(OperationsError) -> LongRunningOperation {
        try decode(LongRunningOperation.self, try await send(.GET, path: name.urlPath, project: name.project))
    }

    /// ``get(_:)`` as the server sent it: a ``ReceivedPage`` of the one operation, for output that keeps every
    /// field (an answer that is not plain enough is decoded, and written again as the model has it).
    public func getReceived(_ name: OperationName) async throws(OperationsError) -> ReceivedPage {
        let exchange = try await send(.GET, path: name.urlPath, project: name.project)
        if let page = ReceivedPage(operation: exchange.body.readableBytesUInt8Span) { return page }
        return ReceivedPage(ListOperationsResponse(operations: [try decode(LongRunningOperation.self, exchange)]))
    }

    /// `projects.operations.cancel`: starts asynchronous, best-effort cancellation. Check the outcome with
    /// ``get(_:)``; the operation becomes CANCELLED, or completes anyway.
    /// `willSend` is called once, when the request is about to go out (past the client's limiter).
    public func cancel(_ name: OperationName, willSend: (@Sendable () throws(OperationsError) -> Void)? = nil) async throws(OperationsError) {
        _ = try await send(.POST, path: name.urlPath + ":cancel", project: name.project, body: Data("{}".utf8), willSend: willSend)
    }

    /// `projects.operations.delete`: the client is no longer interested in the result. Does not cancel.
    /// `willSend` is called once, when the request is about to go out; if it throws, nothing is sent.
    public func delete(_ name: OperationName, willSend: (@Sendable () throws(OperationsError) -> Void)? = nil) async throws(OperationsError) {
        _ = try await send(.DELETE, path: name.urlPath, project: name.project, willSend: willSend)
    }

    /// `projects.operations.wait`: returns the operation when it is done or after about `timeout`,
    /// whichever comes first (so it may return an operation that is not done).
    public func wait(_ name: OperationName, timeout: Duration) async throws(OperationsError) -> LongRunningOperation {
        let seconds = String(format: "%.3fs", max(0, timeout.seconds))
        let body = Data("{\"timeout\":\"\(seconds)\"}".utf8)
        let exchange = try await send(.POST, path: name.urlPath + ":wait", project: name.project, body: body,
                                      timeout: timeout + configuration.requestTimeout)
        return try decode(LongRunningOperation.self, exchange)
    }

    // MARK: - Sending

    /// Sends a request, with retries as the policy allows. `willSend` is called once, when the first attempt is
    /// about to go out (past the limiter), and may refuse it by throwing (never retried); `sent` when an attempt's request is written out, or it waits for the
    /// limiter, or the attempt ends without it (it may be called more than once).
    private func send(
        _ method: HTTPMethod, path: String, query: [(String, String)] = [], project: String, body: Data? = nil, timeout: Duration? = nil,
        willSend: (@Sendable () throws(OperationsError) -> Void)? = nil, sent: (@Sendable () -> Void)? = nil
    ) async throws(OperationsError) -> HTTPExchange {
        var url = "\(configuration.endpoint.baseURL)/\(configuration.apiVersion.rawValue)/\(path)"
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(Self.encodeQueryValue($0.1))" }.joined(separator: "&")
        }
        var attempt = 0
        var refreshedAfter401 = false
        var announce = willSend
        while true {
            attempt += 1
            let result: Result<HTTPExchange, AttemptFailure>
            do {
                let token = try await currentToken()
                var headers = HTTPHeaders()
                headers.add(name: "Authorization", value: "Bearer \(token.value)")
                headers.add(name: "X-Goog-User-Project", value: configuration.quotaProject ?? project)
                headers.add(name: "User-Agent", value: configuration.userAgent)
                headers.add(name: "Accept", value: "application/json")
                if body != nil { headers.add(name: "Content-Type", value: "application/json") }
                result = try await attemptOnce(method, url: url, headers: headers, body: body, timeout: timeout ?? configuration.requestTimeout,
                                               willSend: announce, sent: sent)
                announce = nil
                if case .failure(let failure) = result, case .api(.unauthenticated, 401, _) = failure.error,
                   !refreshedAfter401, tokenProvider.canRefresh {
                    // The token may have expired between fetch and use: refresh once and try again.
                    refreshedAfter401 = true
                    await tokenProvider.invalidate(token)
                    attempt -= 1
                    continue
                }
            } catch let error as OperationsError {
                throw error
            } catch is CancellationError {
                throw .transport("cancelled")
            } catch {
                throw .authentication("could not get an access token from \(tokenProvider.sourceDescription): \(error)")
            }
            switch result {
            case .success(let exchange):
                if let header = exchange.headers.first(name: "Date"), let serverNow = Timestamp.parseHTTPDate(header) {
                    // The header has whole seconds: the server's time was, on average, half a second later. It is
                    // compared with when the head arrived, not with now, which may be long after under load.
                    let offset = serverNow.timeIntervalSince(exchange.headArrived) + 0.5
                    clockOffset.withLock { $0 = offset }
                }
                return exchange
            case .failure(let failure):
                let error = failure.error
                guard error.isRetryable, attempt < configuration.retryPolicy.maxAttempts, !Task.isCancelled else { throw error }
                let delay = configuration.retryPolicy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter, unitRandom: Double.random(in: 0..<1))
                counters.withLock { $0.retries += 1 }
                configuration.onRetry?(RetryNotice(method: method.rawValue, path: path, attempt: attempt, error: error, delay: delay))
                logger.debug("retrying", metadata: ["method": "\(method.rawValue)", "path": "\(path)", "attempt": "\(attempt)", "error": "\(error)", "delay": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { throw .transport("cancelled") }
            }
        }
    }

    private func currentToken() async throws -> AccessToken {
        try await tokenProvider.accessToken()
    }

    /// A failed attempt: the error, and how long the server asked us to wait before the next one.
    private struct AttemptFailure: Error {
        var error: OperationsError
        var retryAfter: Duration?
    }

    private func attemptOnce(_ method: HTTPMethod, url: String, headers: HTTPHeaders, body: Data?, timeout: Duration,
                             willSend: (@Sendable () throws(OperationsError) -> Void)?, sent: (@Sendable () -> Void)?) async throws -> Result<HTTPExchange, AttemptFailure> {
        defer { sent?() }
        let exchange: HTTPExchange
        do {
            exchange = try await limiter.withPermit(whenHeld: sent) { [transport, counters] in
                try willSend?()
                counters.withLock { $0.requests += 1 }
                return try await transport.send(method: method, url: url, headers: headers, body: body, timeout: timeout, sent: sent)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let refusal as OperationsError {
            throw refusal // willSend refused the request: nothing was sent
        } catch {
            return .failure(AttemptFailure(error: .transport(ServerText.message(Self.describeTransportError(error)))))
        }
        if (200..<300).contains(exchange.status) { return .success(exchange) }
        if exchange.status == 429 {
            counters.withLock { $0.responses429 += 1 }
            await limiter.slowDown()
        }
        let retryAfter = exchange.headers.first(name: "Retry-After").flatMap { RetryPolicy.parseRetryAfter($0) }
        return .failure(AttemptFailure(error: Self.decodeError(exchange), retryAfter: retryAfter))
    }

    private func decode<T: JSONReadable>(_ type: T.Type, _ exchange: HTTPExchange) throws(OperationsError) -> T {
        guard exchange.body.readableBytes > 0 else { throw .invalidResponse("HTTP \(exchange.status) with an empty body") }
        let result = Result { () throws(JSONReadError) in try T(json: exchange.body.readableBytesUInt8Span) }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw .invalidResponse("not valid JSON for \(T.self) (\(error))")
        }
    }

    /// Turns an error answer into a typed error: the Google envelope when there is one, else the status.
    static func decodeError(_ exchange: HTTPExchange) -> OperationsError {
        RPCErrorEnvelope.operationsError(httpStatus: exchange.status, contentType: exchange.headers.first(name: "Content-Type"),
                                         body: Data(exchange.body.readableBytesView))
    }

    static func describeTransportError(_ error: Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .readTimeout, .deadlineExceeded: return "the server did not answer in time"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .cancelled: return "request cancelled"
            default: return "\(error)"
            }
        }
        if error is NIOTooManyBytesError { return "the answer is larger than \(HTTPTransport.maxResponseBytes / 1_048_576) MB" }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("UnknownHost") || text.contains("DNS error") || text.contains("NXDOMAIN") || text.contains("lookup") || text.contains("resolve") {
            return "the host name could not be resolved"
        }
        return text
    }

    private static func encodeQueryValue(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
