import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// One HTTP exchange as the client sees it.
struct HTTPExchange: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// When the head arrived: the moment nearest the server's `Date` header, for its clock's offset.
    var headArrived = Date()
}

/// The single path by which eeops sends HTTP: async-http-client with verified TLS, a connection pool
/// large enough for the quota's 40 requests in flight, and a bound on response size.
///
/// One client serves the whole process and is never shut down (like `HTTPClient.shared`), so that
/// every ``OperationsClient`` shares its connection pool and none has to be closed. It has one event-loop
/// thread of its own, so that each answer is read and handed to its delegate on the same thread, and a page's
/// bytes wake no other thread as they arrive (docs/benchmarks.md); the quota's 40 requests in flight are light
/// work for one loop.
struct HTTPTransport: Sendable {
    /// Larger answers are refused rather than buffered (a page of 100,000 operations is ~100 MB).
    static let maxResponseBytes = 256 * 1024 * 1024

    static let shared = HTTPTransport()

    /// Makes the shared client on a thread of its own (see ``OperationsClient/prepareTransportInBackground()``).
    static func prepareInBackground() {
        Thread.detachNewThread { _ = shared }
    }

    private let client: HTTPClient

    private init() {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        // The API allows 40 requests in flight per project; leave room for a few projects at once.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // Connection failures surface at once; OperationsClient's own retry policy decides what to do.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .enabled(limit: .ratio(50))
        // eeops does not trace: no span per request, so that no request, the first included, waits for one to be
        // made.
        configuration.tracing.tracer = nil
        // TLS: the default configuration verifies certificates against the system trust store; nothing
        // in eeops turns that off.
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1), configuration: configuration)
    }

    /// - Parameter sent: called on the event loop once the request is written out, before the answer comes.
    func send(method: HTTPMethod, url: String, headers: HTTPHeaders, body: Data?, timeout: Duration,
              sent: (@Sendable () -> Void)? = nil) async throws -> HTTPExchange {
        let request = try HTTPClient.Request(url: url, method: method, headers: headers, body: body.map { .data($0) })
        // The answer is gathered on the event loop and handed over once, so that this task wakes once per answer
        // rather than once per chunk of a page (docs/benchmarks.md).
        let task = client.execute(request: request, delegate: ResponseGatherer(sent: sent), deadline: .now() + .nanoseconds(timeout.nanoseconds))
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
    }
}

/// Gathers an answer on the event loop into one buffer, sized from its `Content-Length` up front (within
/// ``HTTPTransport/maxResponseBytes``), so that an answer of announced size is copied into it once, rather
/// than again each time a growing buffer doubles.
final class ResponseGatherer: HTTPClientResponseDelegate {
    private struct Gathered {
        var head: HTTPResponseHead?
        var headArrived = Date()
        var body = ByteBuffer()
    }

    /// Called on the task's event loop, one call after another; the lock keeps that a guarantee.
    private let gathered = Locked(Gathered())
    private let sent: (@Sendable () -> Void)?

    init(sent: (@Sendable () -> Void)?) {
        self.sent = sent
    }

    func didSendRequest(task: HTTPClient.Task<HTTPExchange>) {
        sent?()
    }

    func didReceiveHead(task: HTTPClient.Task<HTTPExchange>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let announced = head.headers.first(name: "Content-Length").flatMap { Int($0) }
        if let announced, announced > HTTPTransport.maxResponseBytes {
            return task.eventLoop.makeFailedFuture(NIOTooManyBytesError(maxBytes: HTTPTransport.maxResponseBytes))
        }
        gathered.withLock {
            $0.head = head
            $0.headArrived = Date()
            // A compressed answer announces its compressed size, which is a start.
            $0.body = ByteBufferAllocator().buffer(capacity: min(announced ?? 0, 16 << 20))
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<HTTPExchange>, _ part: ByteBuffer) -> EventLoopFuture<Void> {
        let tooLarge = gathered.withLock { gathered in
            guard gathered.body.readableBytes + part.readableBytes <= HTTPTransport.maxResponseBytes else { return true }
            var part = part
            gathered.body.writeBuffer(&part)
            return false
        }
        return tooLarge ? task.eventLoop.makeFailedFuture(NIOTooManyBytesError(maxBytes: HTTPTransport.maxResponseBytes))
                        : task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<HTTPExchange>) throws -> HTTPExchange {
        try gathered.withLock { gathered in
            guard let head = gathered.head else { throw HTTPClientError.remoteConnectionClosed }
            return HTTPExchange(status: Int(head.status.code), headers: head.headers, body: gathered.body, headArrived: gathered.headArrived)
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }

    /// The duration in (fractional) seconds.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
