import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// `eeops auth status`: which credentials eeops would use, and whether they work; never the token.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Show which credentials eeops uses.",
        subcommands: [AuthStatusCommand.self],
        defaultSubcommand: AuthStatusCommand.self
    )
}

struct AuthStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the credential source, account, scopes, token expiry and project (never the token).",
        discussion: "Exit status 0 when a token could be obtained, 64 when no credentials were found, 3 when they could not produce a token."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let session: Session
        do { session = try await global.makeSession(requireProject: false) } catch { throw fail(error) }
        let info = session.credentials
        var lines: [(String, String)] = [
            ("source", info.source.rawValue),
            ("from", info.origin),
            ("account", info.account ?? (info.source == .accessToken ? "unknown (a bare access token)" : "unknown")),
            ("scopes", info.scopes.isEmpty ? "as granted to the credentials" : info.scopes.joined(separator: " ")),
            ("project", session.projects.isEmpty ? "none (pass --project or set EEOPS_PROJECT)" : session.projects.joined(separator: ", ")),
            ("endpoint", session.client.configuration.endpoint.baseURL),
        ]
        if let quotaProject = info.quotaProject { lines.append(("quota project", quotaProject)) }
        var status = ExitStatus.success
        do {
            _ = try await session.client.tokenProvider.accessToken()
            if let refreshing = session.client.tokenProvider as? RefreshingTokenProvider, let expiry = try await refreshing.expiry() {
                lines.append(("token", "valid, expires \(Timestamp.format(expiry, fractionDigits: 0)) (in \(DurationText.compact(seconds: expiry.timeIntervalSinceNow)))"))
            } else {
                lines.append(("token", info.source == .accessToken ? "given as is (expiry unknown; not refreshed)" : "valid (expiry not reported)"))
            }
        } catch {
            lines.append(("token", "cannot be obtained: \(error)"))
            status = ExitStatus.apiError
        }
        for (key, value) in lines {
            StandardStream.output.write(key.padding(toLength: 14, withPad: " ", startingAt: 0) + TerminalText.sanitize(value) + "\n")
        }
        StandardStream.output.flush()
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
