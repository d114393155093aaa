import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One HTTP exchange as the client sees it.
struct HTTPExchange: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// The single path by which eeops sends HTTP: async-http-client with verified TLS, a connection pool
/// large enough for the quota's 40 requests in flight, and a bound on response size.
///
/// One client serves the whole process and is never shut down (like `HTTPClient.shared`), so that
/// every ``OperationsClient`` shares its connection pool and none has to be closed.
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
        // TLS: the default configuration verifies certificates against the system trust store; nothing
        // in eeops turns that off.
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func send(method: HTTPMethod, url: String, headers: HTTPHeaders, body: Data?, timeout: Duration) async throws -> HTTPExchange {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        let collected = try await response.body.collect(upTo: HTTPTransport.maxResponseBytes)
        return HTTPExchange(status: Int(response.status.code), headers: response.headers, body: collected)
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
