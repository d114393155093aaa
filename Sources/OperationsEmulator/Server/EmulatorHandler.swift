import EarthEngineOperations
import Foundation
import HTTPTypes
import Hummingbird

/// Answers HTTP requests the way the Earth Engine API does: authentication, project access, quotas,
/// latency and injected faults first, then the five operations methods.
final class EmulatorHandler: Sendable {
    let state: EmulatorState
    let configuration: EmulatorConfiguration
    let quota: QuotaGate?
    let statistics: EmulatorStatistics
    let tokens: TokenIssuer
    let faults: FaultInjector

    init(configuration: EmulatorConfiguration, state: EmulatorState) throws {
        self.state = state
        self.configuration = configuration
        self.quota = configuration.quota.map(QuotaGate.init(quota:))
        self.statistics = EmulatorStatistics()
        self.tokens = try TokenIssuer(configuration: configuration)
        self.faults = FaultInjector(configuration: configuration.faults, seed: configuration.seed)
    }

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let route = EmulatorRoute.match(method: request.method.rawValue, rawPath: request.uri.path)
        switch route {
        case .discovery:
            let version = request.uri.queryParameters["version"].map(String.init) ?? "v1"
            guard let apiVersion = APIVersion(rawValue: version) else {
                return Self.error(.notFound, "No discovery document for version '\(version)'.").response
            }
            let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
            return Self.json(DiscoveryDocument.json(for: apiVersion, rootURL: "http://\(host)/")).response
        case .admin where !configuration.testControls, .token where !configuration.servesTokenEndpoint:
            return Self.error(.notFound, "The requested URL \(request.uri.path) was not found on this server.").response
        case .admin(let path):
            // Room for an operation with a description of several megabytes (a test of hostile sizes).
            let body = try await request.collectBody(upTo: 8 << 20)
            return await admin(path: path, method: request.method.rawValue, body: Data(buffer: body)).response
        case .token:
            let body = try await request.collectBody(upTo: 1 << 16)
            statistics.record { $0.tokenGrants += 1 }
            let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
            let (status, answer) = tokens.grant(form: Self.parseForm(String(buffer: body)), endpointURL: "http://\(host)/token")
            let data = (try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])) ?? Data()
            return Response(status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(data: data)))
        case .metadata(let path):
            return metadata(path: path, flavor: request.headers[HTTPField.Name("Metadata-Flavor")!])
        case .notFound:
            return Self.error(.notFound, "The requested URL \(request.uri.path) was not found on this server.").response
        case .methodNotAllowed:
            return Self.error(.invalidArgument, "Method \(request.method.rawValue) is not allowed here.", httpStatus: 405).response
        case .algorithms(_, let project), .list(_, let project), .operation(_, let project, _, _):
            statistics.record { $0.requests += 1 }
            if let refusal = await gate(request: request, project: project) { return refusal.response }
            // The request stops counting as in flight once its answer is made, before it is sent: a client
            // that starts its next request on receiving this answer must find the slot free.
            do {
                let response = try await answer(route, request: &request)
                if let quota { await quota.leave(project: project) }
                return response
            } catch {
                if let quota { await quota.leave(project: project) }
                throw error
            }
        }
    }

    /// An API request admitted by the gate: latency, faults, then the method itself.
    private func answer(_ route: EmulatorRoute, request: inout Request) async throws -> Response {
        if configuration.latency > .zero { try await Task.sleep(for: configuration.latency) }
        let fault = faults.draw()
        if fault != nil { statistics.record { $0.faultsInjected += 1 } }
        if fault == .stall { try await Task.sleep(for: .seconds(2)) }
        if let fault, let response = Self.faultResponse(fault) { return response }
        let body = try await request.collectBody(upTo: 1 << 20)
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        let answer = await api(route, query: query, body: Data(buffer: body))
        return fault == .truncated ? Self.truncate(answer) : answer.response
    }

    /// Authentication, project access and quotas; nil when the request may proceed.
    private func gate(request: Request, project: String) async -> Answer? {
        let header = request.headers[.authorization] ?? ""
        let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        guard !token.isEmpty, tokens.accepts(token) else {
            statistics.record { $0.unauthenticated += 1 }
            var answer = Self.error(.unauthenticated, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
            answer.headers[.wwwAuthenticate] = "Bearer realm=\"https://accounts.google.com/\""
            return answer
        }
        guard await state.serves(project) else {
            return Self.error(.permissionDenied, "Permission denied on resource project \(project) (or it may not exist).")
        }
        if let quota, let exceeded = await quota.enter(project: project) {
            statistics.record { $0.rateLimited += 1 }
            var answer = Self.error(.resourceExhausted, exceeded)
            answer.headers[.retryAfter] = "1"
            return answer
        }
        return nil
    }

    private func api(_ route: EmulatorRoute, query: [String: String], body: Data) async -> Answer {
        switch route {
        case .algorithms:
            return Self.json(Self.algorithms)
        case .list(let version, let project):
            statistics.record { $0.listRequests += 1 }
            var pageSize = configuration.defaultPageSize
            if let text = query["pageSize"] {
                guard let value = Int(text), value >= 0 else { return Self.error(.invalidArgument, "Invalid page size '\(text)'.") }
                pageSize = value == 0 ? configuration.defaultPageSize : min(value, configuration.maxPageSize)
            }
            var token: PageToken?
            if let text = query["pageToken"], !text.isEmpty {
                guard let decoded = PageToken(encoded: text) else { return Self.error(.invalidArgument, "Invalid page token.") }
                token = decoded
            }
            var stateFilter: OperationState?
            if let filter = query["filter"], !filter.isEmpty {
                guard let state = Self.parseFilter(filter) else {
                    return Self.error(.invalidArgument, "Unsupported filter '\(filter)'; the emulator understands metadata.state = \"STATE\".")
                }
                stateFilter = state
            }
            let (operations, next) = await state.list(project: project, pageSize: pageSize, after: token, stateFilter: stateFilter, version: version)
            return Self.encode(ListOperationsResponse(operations: operations, nextPageToken: next?.encoded))
        case .operation(let version, let project, let id, let method):
            switch method {
            case .get:
                statistics.record { $0.getRequests += 1 }
                guard let operation = await state.get(project: project, id: id, version: version) else { return Self.operationNotFound(project, id) }
                return Self.encode(operation)
            case .delete:
                statistics.record { $0.deleteRequests += 1 }
                guard await state.delete(project: project, id: id) else { return Self.operationNotFound(project, id) }
                return Self.json("{}")
            case .cancel:
                statistics.record { $0.cancelRequests += 1 }
                switch await state.cancel(project: project, id: id) {
                case .accepted: return Self.json("{}")
                case .notFound: return Self.operationNotFound(project, id)
                case .unimplemented: return Self.error(.unimplemented, "Cancellation is not supported for operation projects/\(project)/operations/\(id).")
                case .alreadyDone(let done):
                    return Self.error(.failedPrecondition, "Operation projects/\(project)/operations/\(id) has already finished (\(done.apiValue)) and cannot be cancelled.")
                }
            case .wait:
                statistics.record { $0.waitRequests += 1 }
                return await wait(version: version, project: project, id: id, body: body)
            }
        default:
            return Self.error(.notFound, "Not found.")
        }
    }

    private func wait(version: APIVersion, project: String, id: String, body: Data) async -> Answer {
        struct WaitRequest: Decodable { var timeout: String? }
        var timeout = 10.0
        if !body.isEmpty {
            guard let request = try? JSONDecoder().decode(WaitRequest.self, from: body) else {
                return Self.error(.invalidArgument, "Invalid JSON payload received.")
            }
            if let text = request.timeout {
                guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds >= 0, seconds.isFinite else {
                    return Self.error(.invalidArgument, "Invalid value at 'timeout' (type.googleapis.com/google.protobuf.Duration), \"\(text)\".")
                }
                timeout = min(seconds, 60)
            }
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            guard let operation = await state.get(project: project, id: id, version: version) else { return Self.operationNotFound(project, id) }
            if operation.done || ContinuousClock.now >= deadline { return Self.encode(operation) }
            try? await Task.sleep(for: min(.milliseconds(100), ContinuousClock.now.duration(to: deadline)))
        }
    }

    /// `metadata.state = "RUNNING"` (quotes and spaces optional): the one filter form the emulator supports.
    static func parseFilter(_ filter: String) -> OperationState? {
        let parts = filter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0] == "metadata.state" else { return nil }
        return OperationState(userValue: parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
    }

    // MARK: - Test controls

    private func admin(path: [String], method: String, body: Data) async -> Answer {
        switch (method, path) {
        case ("GET", ["stats"]):
            return Self.encode(statistics.snapshot)
        case ("GET", ["healthz"]):
            return Self.json("{\"ok\":true}")
        case ("POST", ["clock:advance"]):
            struct Advance: Decodable { var seconds: Double }
            guard let advance = try? JSONDecoder().decode(Advance.self, from: body) else { return Self.error(.invalidArgument, "Expected {\"seconds\": N}.") }
            guard state.clock.advance(by: advance.seconds) else { return Self.error(.failedPrecondition, "The clock is not manual (start the emulator with a manual clock).") }
            return Self.json("{\"now\":\"\(Timestamp.format(state.clock.now))\"}")
        case ("POST", ["faults"]):
            struct Faults: Decodable { var rate: Double; var kinds: [String]? }
            guard let request = try? JSONDecoder().decode(Faults.self, from: body) else { return Self.error(.invalidArgument, "Expected {\"rate\": 0.2, \"kinds\": [...]}.") }
            faults.update(FaultConfiguration(rate: request.rate, kinds: request.kinds?.compactMap(FaultKind.init(rawValue:)) ?? FaultKind.allCases))
            return Self.json("{}")
        case ("POST", ["tokens"]):
            struct Token: Decodable { var token: String }
            guard let request = try? JSONDecoder().decode(Token.self, from: body) else { return Self.error(.invalidArgument, "Expected {\"token\": \"...\"}.") }
            tokens.addStatic(request.token)
            return Self.json("{}")
        case ("GET", ["tokens"]):
            let data = (try? JSONSerialization.data(withJSONObject: ["issued": tokens.issuedTokens])) ?? Data()
            return Answer(status: .ok, headers: [.contentType: "application/json"], body: ByteBuffer(data: data))
        case ("POST", let parts) where parts.count == 3 && parts[0] == "projects" && parts[2] == "operations":
            guard let spec = try? JSONDecoder().decode(OperationSpec.self, from: body) else { return Self.error(.invalidArgument, "Invalid operation spec.") }
            guard let operation = await state.create(project: parts[1], spec: spec) else { return Self.error(.notFound, "No project \(parts[1]).") }
            return Self.encode(operation)
        default:
            return Self.error(.notFound, "Unknown emulator control.")
        }
    }

    /// The fake GCE metadata server: the instance's service-account token and email, for tests.
    private func metadata(path: [String], flavor: String?) -> Response {
        guard configuration.fakeMetadataServer else { return Self.error(.notFound, "No metadata server here.").response }
        var headers: HTTPFields = [HTTPField.Name("Metadata-Flavor")!: "Google", .contentType: "application/json"]
        guard flavor == "Google" else {
            return Response(status: .forbidden, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "Missing Metadata-Flavor:Google header.")))
        }
        switch path.joined(separator: "/") {
        case "", "instance", "instance/":
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "instance/\nproject/\n")))
        case "instance/service-accounts/default/token":
            statistics.record { $0.metadataTokens += 1 }
            let (token, expiresIn) = tokens.issue()
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"access_token\":\"\(token)\",\"expires_in\":\(expiresIn),\"token_type\":\"Bearer\"}")))
        case "instance/service-accounts/default/email":
            headers[.contentType] = "text/plain"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "vm-account@\(configuration.projects.first ?? "project").iam.gserviceaccount.com")))
        default:
            return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "not found")))
        }
    }

    /// `application/x-www-form-urlencoded` fields.
    static func parseForm(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if let key = parts.first { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    // MARK: - Responses

    /// A complete answer, kept as bytes so that a fault can still cut it.
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
        var response: Response { Response(status: status, headers: headers, body: .init(byteBuffer: body)) }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Answer {
        Answer(status: status, headers: [.contentType: "application/json; charset=UTF-8"], body: ByteBuffer(string: text))
    }

    /// The same value always gives the same bytes (sorted keys), as a real server's serializer does;
    /// clients that cache by bytes, like the poller, depend on it.
    static func encode(_ value: some JSONWritable) -> Answer {
        Answer(status: .ok, headers: [.contentType: "application/json; charset=UTF-8"], body: ByteBuffer(bytes: value.jsonBytes()))
    }

    /// The emulator's own documents (statistics), which are not values of the API.
    static func encode<T: Encodable>(_ value: T) -> Answer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(value) else { return error(.internal, "Encoding failed.") }
        return Answer(status: .ok, headers: [.contentType: "application/json; charset=UTF-8"], body: ByteBuffer(data: data))
    }

    /// The Google error envelope.
    static func error(_ code: RPCCode, _ message: String, httpStatus: Int? = nil) -> Answer {
        struct Envelope: Encodable {
            struct Body: Encodable { var code: Int; var message: String; var status: String }
            var error: Body
        }
        let status = httpStatus ?? code.httpStatus
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let data = (try? encoder.encode(Envelope(error: .init(code: status, message: message, status: code.name)))) ?? Data()
        return Answer(status: .init(code: status), headers: [.contentType: "application/json; charset=UTF-8"], body: ByteBuffer(data: data))
    }

    static func operationNotFound(_ project: String, _ id: String) -> Answer {
        error(.notFound, "Operation projects/\(project)/operations/\(id) not found.")
    }

    private static func faultResponse(_ fault: FaultKind) -> Response? {
        switch fault {
        case .internalError:
            return error(.internal, "Internal error encountered.").response
        case .badGatewayHTML:
            let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream server.</p></body></html>"
            return Response(status: .badGateway, headers: [.contentType: "text/html; charset=UTF-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        case .unavailable, .rateLimited:
            var answer = fault == .unavailable ? error(.unavailable, "The service is currently unavailable.")
                                               : error(.resourceExhausted, "Quota exceeded (injected fault).")
            answer.headers[.retryAfter] = "1"
            return answer.response
        case .reset:
            // Headers promise a body that never comes: the connection is closed at once.
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "64"],
                            body: ResponseBody { _ in throw InjectedFault.connectionReset })
        case .stall, .truncated:
            return nil
        }
    }

    /// The same answer with only half its body sent before the connection is closed.
    private static func truncate(_ answer: Answer) -> Response {
        let half = answer.body.getSlice(at: answer.body.readerIndex, length: max(1, answer.body.readableBytes / 2)) ?? answer.body
        var headers = answer.headers
        headers[.contentLength] = String(answer.body.readableBytes)
        return Response(status: answer.status, headers: headers, body: ResponseBody { writer in
            try await writer.write(half)
            throw InjectedFault.truncated
        })
    }

    /// Injected algorithm list: `ee.Initialize` needs a non-empty one.
    static let algorithms = #"{"algorithms":[{"name":"algorithms/Image.constant","description":"Generates an image containing a constant value everywhere.","returnType":"Image","arguments":[{"argumentName":"value","type":"Object","description":"The value of the pixels in the constant image."}]},{"name":"algorithms/Image.load","description":"Loads an image by ID.","returnType":"Image","arguments":[{"argumentName":"id","type":"String","description":"The asset ID of the image."},{"argumentName":"version","type":"Long","description":"The version of the asset.","optional":true}]}]}"#
}

enum InjectedFault: Error { case connectionReset, truncated }

/// Draws faults at the configured rate from a seeded generator.
final class FaultInjector: Sendable {
    private let state: Locked<(configuration: FaultConfiguration, random: SeededRandom)>

    init(configuration: FaultConfiguration, seed: UInt64) {
        state = Locked((configuration, SeededRandom(seed: seed ^ 0xFA017)))
    }

    func update(_ configuration: FaultConfiguration) {
        state.withLock { $0.configuration = configuration }
    }

    func draw() -> FaultKind? {
        state.withLock { state in
            guard state.configuration.rate > 0, !state.configuration.kinds.isEmpty, state.random.chance(state.configuration.rate) else { return nil }
            return state.random.pick(state.configuration.kinds)
        }
    }
}
