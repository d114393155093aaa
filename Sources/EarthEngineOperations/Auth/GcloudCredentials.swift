import Foundation

/// The last resort: `gcloud auth print-access-token`, run with an argument array (never a shell).
public struct GcloudCredentials: TokenFetcher {
    public let executable: String

    public init(executable: String) {
        self.executable = executable
    }

    /// `gcloud` on the PATH, if any.
    public static func find(environment: [String: String]) -> String? {
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/gcloud"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public func fetchToken() async throws(OperationsError) -> OAuthToken {
        let (status, output, errors) = await Self.run(executable, ["auth", "print-access-token"])
        let token = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            let reason = errors.split(separator: "\n").first.map(String.init) ?? "exit status \(status)"
            throw .authentication("`gcloud auth print-access-token` failed: \(reason) (run `gcloud auth login`)")
        }
        // gcloud does not say when the token expires; RefreshingTokenProvider renews it after 45 minutes or a 401.
        return OAuthToken(token: AccessToken(token), expiresAt: nil)
    }

    /// gcloud's active account, for `auth status`.
    public func account() async -> String? {
        let (status, output, _) = await Self.run(executable, ["config", "get-value", "account"])
        let account = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return status == 0 && !account.isEmpty ? account : nil
    }

    /// Runs a program with arguments (no shell) and collects its output, off the concurrency pool.
    static func run(_ executable: String, _ arguments: [String]) async -> (Int32, String, String) {
        await withCheckedContinuation { continuation in
            Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do { try process.run() } catch {
                    continuation.resume(returning: (127, "", "cannot run \(executable): \(error.localizedDescription)"))
                    return
                }
                let errors = DispatchQueue(label: "gcloud-stderr")
                nonisolated(unsafe) var errorData = Data()
                let group = DispatchGroup()
                group.enter()
                errors.async { errorData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errorData, as: UTF8.self)))
            }.start()
        }
    }
}
