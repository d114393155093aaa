@testable import EarthEngineOperations
import Foundation
import OperationsEmulator
import TestSupport
import Testing

/// Every credential source against the emulator's token endpoint, fake metadata server and a fake gcloud.
@Suite("Credentials from every source")
struct AuthTests {
    static let refreshToken = "refresh-token-4f1a"
    static let email = "tester@test-project.iam.gserviceaccount.com"

    /// An emulator that trusts a fresh service account, and a temporary home holding its key file.
    struct AuthFixture {
        let server: TestEmulator
        let home: String
        let keyPath: String

        func resolver(_ environment: [String: String] = [:]) -> CredentialResolver {
            CredentialResolver(environment: ["PATH": "/nonexistent"].merging(environment) { $1 }, homeDirectory: home)
        }

        func client(_ credentials: ResolvedCredentials) throws -> OperationsClient {
            var configuration = OperationsClient.Configuration(endpoint: try ServiceEndpoint(server.emulator.baseURL), requestTimeout: .seconds(10))
            configuration.quotaProject = credentials.info.quotaProject
            return OperationsClient(configuration: configuration, tokenProvider: credentials.provider)
        }

        func write(_ text: String, to relativePath: String, mode: Int = 0o600) throws -> String {
            let path = home + "/" + relativePath
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try #require(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
            return path
        }
    }

    func withAuth(tokenLifetime: Duration = .seconds(3600), _ body: (AuthFixture) async throws -> Void) async throws {
        let keys = try Emulator.makeServiceAccountKeyPair()
        let server = try await TestEmulator.start(operations: 3) { configuration in
            configuration.serviceAccounts = [Self.email: keys.publicKeyPEM]
            configuration.refreshTokens = [Self.refreshToken]
            configuration.tokenLifetime = tokenLifetime
            configuration.fakeMetadataServer = true
        }
        let home = NSTemporaryDirectory() + "eeops-auth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let json = try server.emulator.serviceAccountKeyFile(email: Self.email, projectID: TestEmulator.project, privateKeyPEM: keys.privateKeyPEM)
        let keyPath = home + "/key.json"
        try #require(FileManager.default.createFile(atPath: keyPath, contents: json, attributes: [.posixPermissions: 0o600]))
        do {
            try await body(AuthFixture(server: server, home: home, keyPath: keyPath))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        try? FileManager.default.removeItem(atPath: home)
    }

    @Test func serviceAccountKeySignsAJWTAndRefreshesTransparently() async throws {
        // Tokens of 2 s, used 1.2 s apart: each second call needs a new one. (With 1 s tokens, a request that
        // took over a second under the thread sanitizer's load outlived its token and the repeat after
        // refreshing it too.)
        try await withAuth(tokenLifetime: .seconds(2)) { fixture in
            let credentials = try await fixture.resolver().resolve(.init(serviceAccountFile: fixture.keyPath))
            #expect(credentials.info.source == .serviceAccount)
            #expect(credentials.info.account == Self.email)
            #expect(credentials.info.project == TestEmulator.project)
            #expect(credentials.warnings.isEmpty)
            let client = try fixture.client(credentials)
            for _ in 0..<4 {
                #expect(try await client.listPage(project: TestEmulator.project).operations.count == 3)
                try await Task.sleep(for: .milliseconds(1200))
            }
            #expect(try await fixture.server.statistics()["tokenGrants", default: 0] >= 2, "the 2 s tokens were refreshed")
            // (A request may still meet a token that expired in flight: the client then refreshes once and
            // repeats it, which the successful calls above show.)
        }
    }

    @Test func manyWaitingRequestsShareOneRefresh() async throws {
        try await withAuth { fixture in
            let credentials = try await fixture.resolver(["GOOGLE_APPLICATION_CREDENTIALS": fixture.keyPath]).resolve(.init())
            #expect(credentials.info.source == .serviceAccount)
            let client = try fixture.client(credentials)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<30 { group.addTask { _ = try await client.listPage(project: TestEmulator.project) } }
                try await group.waitForAll()
            }
            #expect(try await fixture.server.statistics()["tokenGrants"] == 1)
        }
    }

    @Test func applicationDefaultCredentialsOfAUser() async throws {
        try await withAuth { fixture in
            let adc = """
            {"type": "authorized_user", "client_id": "c.apps.googleusercontent.com", "client_secret": "s", "refresh_token": "\(Self.refreshToken)",
             "quota_project_id": "billing-project", "token_uri": "\(fixture.server.emulator.baseURL)/token"}
            """
            let path = try fixture.write(adc, to: ".config/gcloud/application_default_credentials.json")
            let credentials = try await fixture.resolver().resolve(.init())
            #expect(credentials.info.source == .applicationDefault)
            #expect(credentials.info.origin == path)
            #expect(credentials.info.quotaProject == "billing-project")
            #expect(try await fixture.client(credentials).listPage(project: TestEmulator.project).operations.count == 3)
            // The same file through GOOGLE_APPLICATION_CREDENTIALS.
            let viaVariable = try await fixture.resolver(["GOOGLE_APPLICATION_CREDENTIALS": path]).resolve(.init())
            #expect(viaVariable.info.source == .applicationDefault)
        }
    }

    @Test func earthEngineCLICredentials() async throws {
        try await withAuth { fixture in
            let stored = """
            {"refresh_token": "\(Self.refreshToken)", "project": "\(TestEmulator.project)", "scopes": ["\(OAuthScope.earthEngine)"],
             "token_uri": "\(fixture.server.emulator.baseURL)/token"}
            """
            _ = try fixture.write(stored, to: ".config/earthengine/credentials")
            let credentials = try await fixture.resolver().resolve(.init())
            #expect(credentials.info.source == .earthengine)
            #expect(credentials.info.project == TestEmulator.project)
            #expect(try await fixture.client(credentials).listPage(project: TestEmulator.project).operations.count == 3)
        }
    }

    @Test func metadataServer() async throws {
        try await withAuth { fixture in
            let host = fixture.server.emulator.baseURL.replacingOccurrences(of: "http://", with: "")
            let credentials = try await fixture.resolver(["GCE_METADATA_HOST": host]).resolve(.init())
            #expect(credentials.info.source == .metadata)
            #expect(credentials.info.account == "vm-account@test-project.iam.gserviceaccount.com")
            #expect(try await fixture.client(credentials).listPage(project: TestEmulator.project).operations.count == 3)
            #expect(try await fixture.server.statistics()["metadataTokens"] == 1)
        }
    }

    @Test func gcloudIsRunWithArgumentsAndNoShell() async throws {
        try await withAuth { fixture in
            let bin = fixture.home + "/bin"
            let record = fixture.home + "/gcloud-arguments"
            // The fake records its arguments one per line; a shell would have split or expanded them differently.
            let script = """
            #!/bin/sh
            for argument in "$@"; do printf '%s\\n' "$argument" >> '\(record)'; done
            if [ "$1" = "config" ]; then echo tester@example.com; exit 0; fi
            echo \(TestEmulator.token)
            """
            _ = try fixture.write(script, to: "bin/gcloud", mode: 0o755)
            let credentials = try await fixture.resolver(["PATH": bin]).resolve(.init())
            #expect(credentials.info.source == .gcloud)
            #expect(credentials.info.account == "tester@example.com")
            #expect(try await fixture.client(credentials).listPage(project: TestEmulator.project).operations.count == 3)
            let arguments = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
            #expect(arguments == ["config", "get-value", "account", "auth", "print-access-token"])
        }
    }

    /// A gcloud that hangs (a prompt, a network wait) is stopped after the time limit with a clear error.
    @Test func aHangingGcloudIsStopped() async throws {
        try await withAuth { fixture in
            _ = try fixture.write("#!/bin/sh\nexec sleep 60\n", to: "bin/gcloud", mode: 0o755)
            let gcloud = GcloudCredentials(executable: fixture.home + "/bin/gcloud", timeout: .seconds(1))
            let started = ContinuousClock.now
            do {
                _ = try await gcloud.fetchToken()
                Issue.record("a hanging gcloud gave a token")
            } catch {
                #expect("\(error)".contains("did not finish within 1 s"), "\(error)")
            }
            #expect(started.duration(to: .now) < .seconds(10))
        }
    }

    /// Credential files must be regular files of a sane size: a FIFO or /dev/zero is a clear error, not a hang or
    /// an endless read. A key reached through a symbolic link is judged by the file's own mode.
    @Test func credentialFilesAreCheckedBeforeTheyAreRead() async throws {
        try await withAuth { fixture in
            let fifo = fixture.home + "/fifo.json"
            #expect(mkfifo(fifo, 0o600) == 0)
            for (path, expected) in [(fifo, "a FIFO"), ("/dev/zero", "a character device"), (fixture.home, "a folder")] {
                do {
                    _ = try await fixture.resolver(["GOOGLE_APPLICATION_CREDENTIALS": path]).resolve(.init(source: .serviceAccount))
                    Issue.record("\(path) was read as credentials")
                } catch let error as OperationsError {
                    #expect(error.description.contains("is not a regular file (\(expected))"), "\(error)")
                }
            }
            let big = try fixture.write(String(repeating: " ", count: CredentialFile.maxBytes + 1), to: "big.json")
            #expect(throws: OperationsError.self) { try CredentialFile(path: big) }
            let link = fixture.home + "/link.json"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.keyPath)
            let linked = try await fixture.resolver(["GOOGLE_APPLICATION_CREDENTIALS": link]).resolve(.init(source: .serviceAccount))
            #expect(linked.warnings.isEmpty, "the key itself is 0600: \(linked.warnings)")
            #expect(chmod(fixture.keyPath, 0o644) == 0)
            let open = try await fixture.resolver(["GOOGLE_APPLICATION_CREDENTIALS": link]).resolve(.init(source: .serviceAccount))
            #expect(open.warnings.first?.contains("can be read by other users (mode 644)") == true, "\(open.warnings)")
        }
    }

    /// A token endpoint's error text (shown in the TUI's header and in errors) is neutralised and capped where it
    /// is received.
    @Test func aTokenEndpointsErrorTextIsNeutralised() async throws {
        let description = "\\u001b]2;HACKED\\u0007 clock " + String(repeating: "x", count: 5_000)
        let server = try await HostileServer.start { _ in
            HostileServer.Answer(status: 400, #"{"error":"invalid_grant","error_description":"\#(description)"}"#)
        }
        defer { Task { await server.stop() } }
        try await withAuth { fixture in
            let adc = """
            {"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r",
             "token_uri": "\(server.baseURL)/token"}
            """
            let path = try fixture.write(adc, to: "adc.json")
            let credentials = try await fixture.resolver(["GOOGLE_APPLICATION_CREDENTIALS": path]).resolve(.init())
            do {
                _ = try await fixture.client(credentials).listPage(project: TestEmulator.project)
                Issue.record("a refused grant worked")
            } catch {
                let text = "\(error)"
                #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(text.prefix(200))")
                #expect(text.contains("^[]2;HACKED^G"), "\(text.prefix(200))")
                #expect(text.count < 1_000, "capped: \(text.count) characters")
            }
        }
    }

    @Test func orderAndExplicitSource() async throws {
        try await withAuth { fixture in
            let both = fixture.resolver(["EEOPS_ACCESS_TOKEN": TestEmulator.token, "GOOGLE_APPLICATION_CREDENTIALS": fixture.keyPath])
            #expect(try await both.resolve(.init()).info.source == .accessToken)
            #expect(try await both.resolve(.init(source: .serviceAccount)).info.source == .serviceAccount)
            do {
                _ = try await fixture.resolver().resolve(.init(source: .gcloud))
                Issue.record("found gcloud where there is none")
            } catch let error as OperationsError {
                #expect(error.description.contains("no gcloud credentials"))
            }
            do {
                _ = try await fixture.resolver().resolve(.init())
                Issue.record("found credentials in an empty home")
            } catch let error as OperationsError {
                #expect(error.description.contains("no credentials found"))
                #expect(error.description.contains("docs/auth.md"))
            }
        }
    }

    @Test func refusedRefreshSaysWhyAndWhich() async throws {
        try await withAuth { fixture in
            let adc = """
            {"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "revoked-token",
             "token_uri": "\(fixture.server.emulator.baseURL)/token"}
            """
            let path = try fixture.write(adc, to: "adc.json", mode: 0o644)
            let credentials = try await fixture.resolver(["GOOGLE_APPLICATION_CREDENTIALS": path]).resolve(.init())
            #expect(credentials.warnings.first?.contains("can be read by other users") == true)
            do {
                _ = try await fixture.client(credentials).listPage(project: TestEmulator.project)
                Issue.record("a revoked refresh token worked")
            } catch let error as OperationsError {
                guard case .authentication(let message) = error else { Issue.record("wrong error: \(error)"); return }
                #expect(message.contains(path))
                #expect(message.contains("revoked"))
                #expect(!message.contains("revoked-token"), "the refresh token itself is never shown")
            }
        }
    }

    @Test func clockSkewIsRecognised() async throws {
        try await withAuth { fixture in
            let credentials = try ServiceAccountCredentials(json: Data(contentsOf: URL(fileURLWithPath: fixture.keyPath)), path: fixture.keyPath,
                                                            scopes: [OAuthScope.earthEngine])
            let future = try credentials.signedAssertion(now: Date().addingTimeInterval(7200))
            let (status, body) = try await fixture.server.raw("POST", "/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                              body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(future)")
            #expect(status == 400)
            let answer = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String]
            let message = OAuthTokenEndpoint.explain(error: answer?["error"] ?? "", description: answer?["error_description"] ?? "", source: "key")
            #expect(message.contains("clock skew"))
            // And a signature from another key is refused.
            let other = try Emulator.makeServiceAccountKeyPair()
            let forged = try ServiceAccountCredentials(
                json: try fixture.server.emulator.serviceAccountKeyFile(email: Self.email, projectID: "p", privateKeyPEM: other.privateKeyPEM),
                path: "forged", scopes: [OAuthScope.earthEngine])
            do {
                _ = try await forged.fetchToken()
                Issue.record("a forged JWT was accepted")
            } catch let error as OperationsError {
                #expect(error.description.contains("Invalid JWT Signature"))
            }
        }
    }

    @Test func tokenURIsMustBeHTTPSOrLoopback() throws {
        let keys = try Emulator.makeServiceAccountKeyPair()
        let json = try JSONSerialization.data(withJSONObject: ["type": "service_account", "client_email": "a@b", "private_key": keys.privateKeyPEM,
                                                                "token_uri": "http://tokens.example.com/token"])
        #expect(throws: OperationsError.self) { try ServiceAccountCredentials(json: json, path: "k", scopes: []) }
    }
}
