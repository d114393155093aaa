import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport
import Testing

/// `eeops auth status` and long sessions with expiring tokens, through the binary; no token value may
/// appear in any output.
@Suite("Credentials through the command line", .serialized)
struct AuthCommandTests {
    static let email = "cli-tester@cli-project.iam.gserviceaccount.com"

    func withServiceAccount(tokenLifetime: Duration, _ body: (Emulator, _ keyPath: String, _ environment: [String: String]) async throws -> Void) async throws {
        let keys = try Emulator.makeServiceAccountKeyPair()
        var configuration = EmulatorConfiguration()
        configuration.projects = ["cli-project"]
        configuration.operationCount = 5
        configuration.activeFraction = 1
        configuration.serviceAccounts = [Self.email: keys.publicKeyPEM]
        configuration.tokenLifetime = tokenLifetime
        configuration.clock = .realTime(speed: 50)
        configuration.testControls = true
        let emulator = try await Emulator.start(configuration)
        let keyPath = NSTemporaryDirectory() + "eeops-key-\(UUID().uuidString).json"
        try #require(FileManager.default.createFile(atPath: keyPath, contents: try emulator.serviceAccountKeyFile(email: Self.email, projectID: "cli-project", privateKeyPEM: keys.privateKeyPEM),
                                                    attributes: [.posixPermissions: 0o600]))
        do {
            try await body(emulator, keyPath, ["EEOPS_ENDPOINT": emulator.baseURL, "GOOGLE_APPLICATION_CREDENTIALS": keyPath])
        } catch {
            await emulator.stop()
            throw error
        }
        await emulator.stop()
        try? FileManager.default.removeItem(atPath: keyPath)
    }

    /// Every token the emulator issued.
    func issuedTokens(_ emulator: Emulator) async throws -> [String] {
        let text = try await ControlClient.get(url: URL(string: emulator.baseURL + "/_emulator/tokens")!)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String]]
        return object?["issued"] ?? []
    }

    @Test func authStatusShowsTheSourceButNeverTheToken() async throws {
        try await withServiceAccount(tokenLifetime: .seconds(3600)) { emulator, keyPath, env in
            let status = try await Binary.run(["auth", "status"], environment: env)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("source        service-account"))
            #expect(status.stdout.contains("from          \(keyPath)"))
            #expect(status.stdout.contains("account       \(Self.email)"))
            #expect(status.stdout.contains("project       cli-project"), "the key's project_id is used when none is set")
            #expect(status.stdout.contains("token         valid, expires"))
            let tokens = try await issuedTokens(emulator)
            #expect(!tokens.isEmpty)
            for token in tokens { #expect(!status.stdout.contains(token) && !status.stderr.contains(token)) }
            let list = try await Binary.run(["list", "--format", "jsonl"], environment: env)
            #expect(list.status == 0)
            #expect(list.stdout.split(separator: "\n").count == 5)
        }
    }

    @Test func watchKeepsWorkingWhileTokensExpire() async throws {
        try await withServiceAccount(tokenLifetime: .seconds(1)) { emulator, _, env in
            async let watching = Binary.run(["watch", "--format", "jsonl", "--refresh", "0.3"], environment: env, timeout: 4)
            // An operation that appears and finishes (50 simulated seconds, one real second) while the watch runs.
            try await Task.sleep(for: .milliseconds(1200))
            let created = try await ControlClient.post(url: URL(string: emulator.baseURL + "/_emulator/projects/cli-project/operations")!,
                                                       body: #"{"id":"WATCHEDJOB","runSeconds":50}"#)
            #expect(created.contains("WATCHEDJOB"))
            let result = try await watching
            #expect(result.status == 130 || result.status == 0 || result.status == 2, "watch ended by the test: \(result.status)")
            #expect(!result.stderr.contains("refresh failed"), "\(result.stderr)")
            #expect(!result.stderr.contains("UNAUTHENTICATED"))
            #expect(result.stdout.contains("\"id\":\"WATCHEDJOB\""), "the new operation was seen: \(result.stdout)")
            #expect(result.stdout.contains("\"to\":\"SUCCEEDED\""), "and seen finishing: \(result.stdout)")
            let statistics = try JSONSerialization.jsonObject(with: Data(try await ControlClient.get(url: URL(string: emulator.baseURL + "/_emulator/stats")!).utf8)) as? [String: Int]
            #expect(statistics?["tokenGrants", default: 0] ?? 0 >= 3, "tokens were refreshed during the session")
            for token in try await issuedTokens(emulator) { #expect(!result.stdout.contains(token) && !result.stderr.contains(token)) }
        }
    }

    @Test func brokenCredentialsSayWhyWithoutSecrets() async throws {
        try await withServiceAccount(tokenLifetime: .seconds(3600)) { emulator, keyPath, env in
            let home = NSTemporaryDirectory() + "eeops-home-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: home + "/.config/earthengine", withIntermediateDirectories: true)
            try #require(FileManager.default.createFile(atPath: home + "/.config/earthengine/credentials", contents: Data(
                "{\"refresh_token\": \"secret-refresh-xyz\", \"token_uri\": \"\(emulator.baseURL)/token\"}".utf8), attributes: [.posixPermissions: 0o644]))
            // No gcloud on this PATH, whatever the machine has installed.
            let noGcloud = ["PATH": home]
            let result = try await Binary.run(["list", "--project", "cli-project"], environment: ["EEOPS_ENDPOINT": emulator.baseURL, "HOME": home].merging(noGcloud) { $1 })
            #expect(result.status == 3)
            #expect(result.stderr.contains("warning: \(home)/.config/earthengine/credentials can be read by other users"))
            #expect(result.stderr.contains("revoked"))
            #expect(!result.stderr.contains("secret-refresh-xyz"))
            let none = try await Binary.run(["list", "--project", "cli-project"], environment: ["EEOPS_ENDPOINT": emulator.baseURL].merging(noGcloud) { $1 })
            #expect(none.status == 64)
            #expect(none.stderr.contains("no credentials found"))
            let wrongSource = try await Binary.run(["auth", "status", "--credentials", "gcloud"], environment: env.merging(noGcloud) { $1 })
            #expect(wrongSource.status == 64)
            #expect(wrongSource.stderr.contains("no gcloud credentials"))
            _ = keyPath
        }
    }
}
