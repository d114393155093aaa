import AsyncHTTPClient
import EarthEngineOperations
import Foundation
import NIOCore
import NIOFoundationCompat
import OperationsEmulator

/// An emulator on a free loopback port with a manual clock, for one test.
struct TestEmulator {
    static let token = "test-token-0123456789"
    static let project = "test-project"
    static let start = Date(timeIntervalSince1970: 1_763_856_000) // 2025-11-23T00:00:00Z

    let emulator: Emulator

    static func start(
        operations: Int = 0, quota: QuotaConfiguration? = nil, latency: Duration = .zero, faults: FaultConfiguration = FaultConfiguration(),
        configure: (inout EmulatorConfiguration) -> Void = { _ in }
    ) async throws -> TestEmulator {
        var configuration = EmulatorConfiguration()
        configuration.projects = [project, "second-project"]
        configuration.operationCount = operations
        configuration.acceptedTokens = [token]
        configuration.quota = quota
        configuration.latency = latency
        configuration.faults = faults
        configuration.clock = .manual(start: start)
        configuration.seed = 42
        configuration.testControls = true
        configure(&configuration)
        return TestEmulator(emulator: try await Emulator.start(configuration))
    }

    func client(token: String = Self.token, version: APIVersion = .v1, retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(20)),
                maxInFlight: Int = 40, requestsPerSecond: Double = 100) throws -> OperationsClient {
        OperationsClient(
            configuration: .init(endpoint: try ServiceEndpoint(emulator.baseURL), apiVersion: version, retryPolicy: retry,
                                 maxInFlight: maxInFlight, requestsPerSecond: requestsPerSecond, requestTimeout: .seconds(10)),
            tokenProvider: try StaticAccessTokenProvider(token: token, source: "test")
        )
    }

    func name(_ id: String, project: String = Self.project) throws -> OperationName {
        try OperationName(project: project, operationID: id)
    }

    /// Adds an operation through the test controls; returns its name.
    @discardableResult
    func create(_ spec: [String: Any], project: String = Self.project) async throws -> OperationName {
        let response = try await control("POST", "projects/\(project)/operations", spec)
        let operation = try LongRunningOperation(json: response)
        guard let name = OperationName(validating: operation.name) else { throw ControlError(message: "bad name \(operation.name)") }
        return name
    }

    func advance(seconds: Double) async throws {
        _ = try await control("POST", "clock:advance", ["seconds": seconds])
    }

    func setFaults(rate: Double, kinds: [String]) async throws {
        _ = try await control("POST", "faults", ["rate": rate, "kinds": kinds])
    }

    func statistics() async throws -> [String: Int] {
        let data = try await control("GET", "stats", nil)
        return try JSONDecoder().decode([String: Int].self, from: data)
    }

    /// Raw HTTP to the emulator, for requests the client would never send.
    func raw(_ method: String, _ path: String, headers: [String: String] = ["Authorization": "Bearer \(Self.token)"], body: String? = nil) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: emulator.baseURL + path)
        request.method = .init(rawValue: method)
        for (key, value) in headers { request.headers.add(name: key, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    private func control(_ method: String, _ path: String, _ body: [String: Any]?) async throws -> Data {
        let text = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let (status, answer) = try await raw(method, "/_emulator/" + path, headers: [:], body: text)
        guard status == 200 else { throw ControlError(message: "\(method) \(path): \(status) \(answer)") }
        return Data(answer.utf8)
    }

    func stop() async { await emulator.stop() }
}

struct ControlError: Error { let message: String }
