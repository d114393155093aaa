import EarthEngineOperations
import Foundation
import TestSupport
import Testing

/// What the binary says it is: `--version` and the User-Agent carry the version in VERSION and the commit the binary
/// was built from, written at build time (Plugins/BuildInfo), not looked up when it runs.
@Suite("The version eeops reports")
struct VersionTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var version: String {
        get throws {
            try String(contentsOf: packageRoot.appendingPathComponent("VERSION"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The short commit of HEAD, as git prints it.
    static func head() throws -> String {
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        git.arguments = ["-C", packageRoot.path, "rev-parse", "--short=12", "HEAD"]
        let out = Pipe()
        git.standardOutput = out
        try git.run()
        git.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func versionNamesTheReleaseAndTheCommitBuilt() async throws {
        let result = try await Binary.run(["--version"])
        #expect(result.status == 0)
        let expected = "eeops \(try Self.version) (commit \(try Self.head())"
        #expect(result.stdout.hasPrefix(expected), "printed \(result.stdout), expected \(expected)...)")
        // Built from this commit, clean or with changes: nothing else follows the commit.
        let suffix = result.stdout.dropFirst(expected.count).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(suffix == ")" || suffix == "-dirty)", "after the commit: \(suffix)")
    }

    @Test func requestsCarryTheVersionInTheUserAgent() async throws {
        let agents = Locked<[String]>([])
        let server = try await HostileServer.start { request in
            agents.withLock { $0.append(request.userAgent ?? "") }
            return .init(#"{"operations":[]}"#)
        }
        let result = try await Binary.run(
            ["list", "--format", "jsonl"],
            environment: ["EEOPS_ENDPOINT": server.baseURL, "EEOPS_PROJECT": "p", "EEOPS_ACCESS_TOKEN": "version-test-token"]
        )
        await server.stop()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let seen = agents.withLock { $0 }
        let version = try Self.version
        #expect(!seen.isEmpty)
        #expect(seen.allSatisfy { $0 == "eeops/\(version)" }, "User-Agent: \(seen)")
    }
}
