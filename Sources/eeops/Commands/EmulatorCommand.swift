import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsEmulator

/// The emulator's options, shared by `eeops emulator` and `eeops demo`.
struct EmulatorOptions: ParsableArguments {
    @Option(name: .long, help: "Operations generated per project.")
    var operations: Int = 200

    @Option(name: .long, help: "Seed of the generator (same seed, same project).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Milliseconds added to every API answer.")
    var latency: Int = 0

    @Flag(name: .customLong("no-quota"), help: "Do not enforce the API's per-project quotas (100 requests/s, 40 in flight).")
    var noQuota = false

    @Option(name: .customLong("quota-model"), help: "How requests per second are counted: token-bucket (bursts of a fifth of a second pass) or sliding-window (at most 100 in any second).")
    var quotaModel: QuotaConfiguration.Model = .tokenBucket

    @Option(name: .customLong("emulated-project"), help: "Project the emulator serves (repeatable).")
    var emulatedProjects: [String] = []

    @Option(name: .customLong("active-fraction"), help: "Share of operations PENDING or RUNNING at start (0-1).")
    var activeFraction: Double = 0.15

    @Option(name: .customLong("active-placement"), help: "Where the active operations lie: recent (all on the first page) or spread (through the ten days of history, as in a queue days deep).")
    var activePlacement: EmulatorConfiguration.ActivePlacement = .recent

    @Option(name: .long, help: "Simulated seconds per real second.")
    var speed: Double = 1

    @Option(name: .customLong("cancel-delay"), help: "Simulated seconds from a cancel request to CANCELLED.")
    var cancelDelay: Double = 3

    @Option(name: .customLong("complete-despite-cancel"), help: "Chance (0-1) that a cancelled operation completes anyway.")
    var completeDespiteCancel: Double = 0.1

    @Option(name: .customLong("unimplemented-fraction"), help: "Share (0-1) of operations whose cancel answers UNIMPLEMENTED.")
    var unimplementedFraction: Double = 0.05

    @Option(name: .customLong("submit-every"), help: "Submit a new operation every N simulated seconds (0: never).")
    var submitEvery: Double = 0

    @Option(name: .customLong("fault-rate"), help: "Share (0-1) of API answers replaced by faults (5xx, 429, resets, stalls, truncated bodies).")
    var faultRate: Double = 0

    func validate() throws {
        guard (0...1_000_000).contains(operations) else { throw ValidationError("invalid --operations \(operations): expected 0 to 1000000") }
        guard (0...60_000).contains(latency) else { throw ValidationError("invalid --latency \(latency): expected 0 to 60000 ms") }
        for (name, value) in [("--active-fraction", activeFraction), ("--complete-despite-cancel", completeDespiteCancel),
                              ("--unimplemented-fraction", unimplementedFraction), ("--fault-rate", faultRate)] {
            guard (0...1).contains(value) else { throw ValidationError("invalid \(name) \(value): expected 0 to 1") }
        }
        guard speed > 0, speed <= 10_000 else { throw ValidationError("invalid --speed \(speed): expected more than 0 and at most 10000") }
        guard cancelDelay >= 0, submitEvery >= 0 else { throw ValidationError("--cancel-delay and --submit-every cannot be negative") }
        for project in emulatedProjects {
            do { try ProjectID.validate(project) } catch { throw ValidationError(error.description) }
        }
    }

    func configuration(token: String) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        if !emulatedProjects.isEmpty { configuration.projects = emulatedProjects }
        configuration.operationCount = operations
        configuration.seed = seed
        configuration.latency = .milliseconds(latency)
        configuration.quota = noQuota ? nil : QuotaConfiguration(model: quotaModel)
        configuration.activeFraction = activeFraction
        configuration.activePlacement = activePlacement
        configuration.clock = .realTime(speed: speed)
        configuration.cancelDelay = .milliseconds(Int64(cancelDelay * 1000))
        configuration.completeDespiteCancelProbability = completeDespiteCancel
        configuration.cancelUnimplementedFraction = unimplementedFraction
        configuration.submitInterval = submitEvery > 0 ? .milliseconds(Int64(submitEvery * 1000)) : nil
        configuration.faults = FaultConfiguration(rate: faultRate)
        configuration.acceptedTokens = [token]
        return configuration
    }

    /// A fresh random token for an emulator run.
    static func randomToken() -> String {
        "emulator-" + (0..<24).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
    }
}

/// `eeops emulator`: the local server, until interrupted.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run a local server that speaks the Earth Engine Operations API, with simulated operations.",
        discussion: "See docs/emulator.md. With --test-controls, test controls live under /_emulator/ (stats, clock, faults, operations)."
    )

    @Option(name: .long, help: "Address to listen on (loopback by default; the emulator has no TLS).")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port (0 picks a free one).")
    var port: Int = 8080

    @Option(name: .long, help: "Bearer token the emulator accepts (default: a random one, printed at start).")
    var token: String?

    @OptionGroup var emulator: EmulatorOptions

    @Option(name: .customLong("write-service-account-key"), help: "Create a test service account and write its key file here (token_uri points at the emulator).")
    var writeServiceAccountKey: String?

    @Option(name: .customLong("service-account-key"), help: "Trust this service-account key file's JWTs at POST /token (repeatable).")
    var serviceAccountKeys: [String] = []

    @Option(name: .customLong("refresh-token"), help: "A refresh token POST /token accepts (repeatable).")
    var refreshTokens: [String] = []

    @Option(name: .customLong("token-lifetime"), help: "Seconds the access tokens issued by POST /token last.")
    var tokenLifetime: Int = 3600

    @Flag(name: .customLong("test-controls"), help: "Serve the test controls under /_emulator/ (statistics, manual clock, faults, creating operations); off by default.")
    var testControls = false

    @Flag(name: .customLong("fake-metadata-server"), help: "Also serve a fake GCE metadata server under /computeMetadata/v1/ (set GCE_METADATA_HOST to the emulator's host:port).")
    var fakeMetadataServer = false

    func validate() throws {
        guard (1...86_400).contains(tokenLifetime) else { throw ValidationError("invalid --token-lifetime \(tokenLifetime): expected 1 to 86400 seconds") }
        guard (0...65535).contains(port) else { throw ValidationError("invalid --port \(port): expected 0 to 65535") }
        if let token, token.isEmpty || token.contains(where: { $0.isWhitespace }) { throw ValidationError("invalid --token: it must be non-empty, without spaces") }
    }

    func run() async throws {
        let token = token ?? EmulatorOptions.randomToken()
        var configuration = emulator.configuration(token: token)
        configuration.host = host
        configuration.port = port
        configuration.refreshTokens = Set(refreshTokens)
        configuration.tokenLifetime = .seconds(tokenLifetime)
        configuration.fakeMetadataServer = fakeMetadataServer
        configuration.testControls = testControls
        if !ServiceEndpoint.isLoopbackHost(host) {
            StandardStream.error.write("eeops emulator: warning: listening on \(TerminalText.sanitize(host)), not loopback: the emulator has no TLS, and anyone who can reach this address can use it with the token\n")
        }
        var newKey: (privateKeyPEM: String, publicKeyPEM: String)?
        let serviceAccountEmail = "eeops-emulator@\(configuration.projects[0]).iam.gserviceaccount.com"
        do {
            for path in serviceAccountKeys {
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read --service-account-key '\(path)'") }
                let (email, publicKey) = try Emulator.publicKey(ofKeyFile: data)
                configuration.serviceAccounts[email] = publicKey
            }
            if writeServiceAccountKey != nil {
                newKey = try Emulator.makeServiceAccountKeyPair()
                configuration.serviceAccounts[serviceAccountEmail] = newKey?.publicKeyPEM
            }
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.usage)
        }
        let server: Emulator
        do {
            server = try await Emulator.start(configuration)
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.usage)
        }
        if let path = writeServiceAccountKey, let newKey {
            do {
                let json = try server.serviceAccountKeyFile(email: serviceAccountEmail, projectID: configuration.projects[0], privateKeyPEM: newKey.privateKeyPEM)
                guard FileManager.default.createFile(atPath: path, contents: json, attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("cannot write --write-service-account-key '\(path)'")
                }
                StandardStream.output.write("eeops emulator: wrote the key of \(serviceAccountEmail) to \(path)\n")
            } catch {
                printError("\(error)")
                await server.stop()
                throw ExitCode(ExitStatus.usage)
            }
        }
        let projects = configuration.projects.joined(separator: ", ")
        StandardStream.output.write("""
        eeops emulator: serving \(projects) (\(configuration.operationCount) operations each) at \(server.baseURL)
        Use it from another terminal:
          export EEOPS_ENDPOINT=\(server.baseURL)
          export EEOPS_PROJECT=\(configuration.projects[0])
          export EEOPS_ACCESS_TOKEN=\(token)
        Press Ctrl-C to stop.

        """)
        StandardStream.output.flush()
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM, SIGHUP])
        await signals.next()
        await server.stop()
        StandardStream.output.write("eeops emulator: stopped\n")
    }
}

extension QuotaConfiguration.Model: ExpressibleByArgument {}
extension EmulatorConfiguration.ActivePlacement: ExpressibleByArgument {}
