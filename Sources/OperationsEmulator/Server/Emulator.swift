import EarthEngineOperations
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A running emulator: a local HTTP server that speaks the Earth Engine Operations API.
///
/// ```swift
/// let emulator = try await Emulator.start(configuration)
/// // ... use emulator.baseURL and a token from configuration.acceptedTokens ...
/// await emulator.stop()
/// ```
public final class Emulator: Sendable {
    public let configuration: EmulatorConfiguration
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public let baseURL: String
    public let port: Int
    private let serviceGroup: ServiceGroup
    private let runTask: Task<Void, Error>

    private init(configuration: EmulatorConfiguration, port: Int, serviceGroup: ServiceGroup, runTask: Task<Void, Error>) {
        self.configuration = configuration
        self.port = port
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        self.baseURL = "http://\(host):\(port)"
        self.serviceGroup = serviceGroup
        self.runTask = runTask
    }

    /// Binds and starts serving; returns once the port is known.
    public static func start(_ configuration: EmulatorConfiguration, logger: Logger? = nil) async throws -> Emulator {
        var quiet = logger ?? Logger(label: "eeops.emulator")
        if logger == nil { quiet.logLevel = .critical }
        let state = EmulatorState(configuration: configuration, clock: EmulatorClock(mode: configuration.clock))
        let handler = try EmulatorHandler(configuration: configuration, state: state)
        let portReady = PortSignal()
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, context in try await handler.respond(to: request, context: context) },
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "eeops-emulator"),
            onServerRunning: { channel in portReady.resolve(.success(channel.localAddress?.port ?? 0)) },
            logger: quiet
        )
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: quiet))
        let task = Task {
            do {
                try await group.run()
                portReady.resolve(.failure(EmulatorError.stoppedBeforeStart))
            } catch {
                portReady.resolve(.failure(error))
                throw error
            }
        }
        let port: Int
        do {
            port = try await portReady.value()
        } catch {
            throw EmulatorError.cannotBind("\(configuration.host):\(configuration.port)", "\(error)")
        }
        return Emulator(configuration: configuration, port: port, serviceGroup: group, runTask: task)
    }

    /// A new RSA key pair for a test service account: put the public key in
    /// `EmulatorConfiguration.serviceAccounts`, and write the key file with ``serviceAccountKeyFile(email:projectID:privateKeyPEM:)``
    /// once the emulator runs (its `token_uri` names the emulator's address).
    public static func makeServiceAccountKeyPair() throws -> (privateKeyPEM: String, publicKeyPEM: String) {
        try TokenIssuer.makeKeyPair()
    }

    /// A service-account key file (JSON) whose `token_uri` is this emulator's token endpoint.
    public func serviceAccountKeyFile(email: String, projectID: String, privateKeyPEM: String) throws -> Data {
        try TokenIssuer.keyFile(email: email, projectID: projectID, privateKeyPEM: privateKeyPEM, tokenURI: baseURL + "/token")
    }

    /// The email and public key of an existing service-account key file, to trust it.
    public static func publicKey(ofKeyFile json: Data) throws -> (email: String, publicKeyPEM: String) {
        try TokenIssuer.publicKey(ofKeyFile: json)
    }

    /// Stops serving and waits until the server is down.
    public func stop() async {
        await serviceGroup.triggerGracefulShutdown()
        _ = try? await runTask.value
    }

    /// Waits until the server stops (for `eeops emulator`, which runs until interrupted).
    public func waitUntilStopped() async throws {
        try await runTask.value
    }
}

/// The emulator could not start.
public enum EmulatorError: Error, CustomStringConvertible {
    case cannotBind(String, String)
    case stoppedBeforeStart

    public var description: String {
        switch self {
        case .cannotBind(let address, let why): "the emulator cannot listen on \(address): \(why)"
        case .stoppedBeforeStart: "the emulator stopped before it started"
        }
    }
}

/// A one-shot value: the bound port, or the error that prevented binding.
private final class PortSignal: Sendable {
    private let state = Locked<(result: Result<Int, Error>?, waiters: [CheckedContinuation<Int, Error>])>((nil, []))

    func resolve(_ result: Result<Int, Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, Error>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
