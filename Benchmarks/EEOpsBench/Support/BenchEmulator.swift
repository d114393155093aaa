import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport

/// An emulator in this process, on a free loopback port, shaped for one scenario.
struct BenchEmulator {
    static let project = "bench-project"
    static let token = "bench-token-5f0c2a"

    let emulator: Emulator
    /// A service-account key file whose token_uri is this emulator (for the official CLI), when asked for.
    let serviceAccountKeyPath: String?

    var url: String { emulator.baseURL }

    /// Environment that points eeops at this emulator (its audit log goes to a scratch state directory).
    func eeopsEnvironment(_ context: BenchContext) -> [String: String] {
        context.baseEnvironment.merging(["EEOPS_ENDPOINT": url, "EEOPS_PROJECT": Self.project, "EEOPS_ACCESS_TOKEN": Self.token]) { $1 }
    }

    static func start(
        operations: Int, activeFraction: Double = 0.15, latency: Duration = .zero, quota: Bool = false,
        serviceAccountKeyPath: String? = nil, configure: (inout EmulatorConfiguration) -> Void = { _ in }
    ) async throws -> BenchEmulator {
        var configuration = EmulatorConfiguration()
        configuration.projects = [project]
        configuration.operationCount = operations
        configuration.activeFraction = activeFraction
        configuration.latency = latency
        configuration.quota = quota ? QuotaConfiguration() : nil
        configuration.acceptedTokens = [token]
        configuration.cancelUnimplementedFraction = 0
        configuration.maxPageSize = 1000
        configuration.testControls = true
        let email = "bench@\(project).iam.gserviceaccount.com"
        var privateKey: String?
        if serviceAccountKeyPath != nil {
            let pair = try Emulator.makeServiceAccountKeyPair()
            configuration.serviceAccounts[email] = pair.publicKeyPEM
            privateKey = pair.privateKeyPEM
        }
        configure(&configuration)
        let emulator = try await Emulator.start(configuration)
        if let path = serviceAccountKeyPath, let privateKey {
            let json = try emulator.serviceAccountKeyFile(email: email, projectID: project, privateKeyPEM: privateKey)
            try json.write(to: URL(fileURLWithPath: path))
        }
        return BenchEmulator(emulator: emulator, serviceAccountKeyPath: serviceAccountKeyPath)
    }

    func stop() async { await emulator.stop() }

    /// A client of the core library against this emulator.
    func client() throws -> OperationsClient {
        OperationsClient(configuration: .init(endpoint: try ServiceEndpoint(url)), tokenProvider: try StaticAccessTokenProvider(token: Self.token, source: "bench"))
    }

    /// The emulator's request counters (`GET /_emulator/stats`).
    func statistics() async throws -> [String: Int] {
        let text = try await ControlClient.get(url: URL(string: url + "/_emulator/stats")!)
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Int]) ?? [:]
    }

    /// Adds an operation through the test controls; returns its full name.
    @discardableResult
    func create(_ spec: [String: Any]) async throws -> String {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let text = try await ControlClient.post(url: URL(string: url + "/_emulator/projects/\(Self.project)/operations")!, body: body)
        return try LongRunningOperation(json: Data(text.utf8)).name
    }
}

extension BenchEmulator {
    /// Runs `body`, then stops the emulator whether or not `body` threw.
    func using<T>(_ body: (BenchEmulator) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }
}
