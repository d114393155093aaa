import EarthEngineOperations
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// A server that answers every request with whatever a test scripts: malformed, hostile or absurd
/// answers that the real API and the emulator never give.
public final class HostileServer: Sendable {
    /// An answer: status, content type and raw body bytes.
    public struct Answer: Sendable {
        public var status: Int = 200
        public var contentType: String = "application/json"
        public var body: [UInt8]
        public var headers: [(String, String)] = []

        public init(status: Int = 200, contentType: String = "application/json", body: [UInt8], headers: [(String, String)] = []) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.headers = headers
        }

        public init(status: Int = 200, contentType: String = "application/json", _ text: String, headers: [(String, String)] = []) {
            self.init(status: status, contentType: contentType, body: Array(text.utf8), headers: headers)
        }
    }

    public let baseURL: String
    private let group: ServiceGroup
    private let task: Task<Void, Error>

    /// A request as the script sees it.
    public struct Received: Sendable {
        public var method: String
        public var path: String
        public var pageToken: String?
        public var userAgent: String?
        /// 1 for the first request, and so on.
        public var number: Int
    }

    /// Starts a server whose answer to each request is `script(request)`.
    public static func start(_ script: @escaping @Sendable (Received) -> Answer) async throws -> HostileServer {
        let counter = Locked(0)
        var logger = Logger(label: "hostile")
        logger.logLevel = .critical
        let port = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                let number = counter.withLock { value -> Int in value += 1; return value }
                let answer = script(Received(method: request.method.rawValue, path: request.uri.path,
                                             pageToken: request.uri.queryParameters["pageToken"].map(String.init),
                                             userAgent: request.headers[.userAgent], number: number))
                var fields = HTTPFields()
                fields[.contentType] = answer.contentType
                for (name, value) in answer.headers { if let field = HTTPField.Name(name) { fields[field] = value } }
                return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = port.stream.makeAsyncIterator()
        let bound = await iterator.next() ?? 0
        return HostileServer(baseURL: "http://127.0.0.1:\(bound)", group: group, task: task)
    }

    private init(baseURL: String, group: ServiceGroup, task: Task<Void, Error>) {
        self.baseURL = baseURL
        self.group = group
        self.task = task
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
