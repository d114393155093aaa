import Foundation

/// The last resort: `gcloud auth print-access-token`, run with an argument array (never a shell) and a time limit.
public struct GcloudCredentials: TokenFetcher {
    public let executable: String
    /// How long one run of gcloud may take before it is ended (a gcloud that prompts, or hangs on the network).
    public let timeout: Duration

    public init(executable: String, timeout: Duration = .seconds(30)) {
        self.executable = executable
        self.timeout = timeout
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
        let (status, output, errors) = await Self.run(executable, ["auth", "print-access-token"], timeout: timeout)
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
        let (status, output, _) = await Self.run(executable, ["config", "get-value", "account"], timeout: timeout)
        let account = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return status == 0 && !account.isEmpty ? account : nil
    }

    /// Runs a program with arguments (no shell) and collects its output, off the concurrency pool. After `timeout`
    /// it is sent SIGTERM, and SIGKILL two seconds later; the result then says it timed out (status 124).
    static func run(_ executable: String, _ arguments: [String], timeout: Duration) async -> (Int32, String, String) {
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
                let timedOut = Locked(false)
                let deadline = DispatchWorkItem {
                    guard process.isRunning else { return }
                    timedOut.withLock { $0 = true }
                    process.terminate()
                    DispatchQueue.global().asyncAfter(deadline: .now() + 2) { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.seconds * 1000)), execute: deadline)
                defer { deadline.cancel() }
                let errors = DispatchQueue(label: "gcloud-stderr")
                let errorData = Locked(Data())
                let group = DispatchGroup()
                group.enter()
                errors.async {
                    let read = err.fileHandleForReading.readDataToEndOfFile()
                    errorData.withLock { $0 = read }
                    group.leave()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                if timedOut.withLock({ $0 }) {
                    continuation.resume(returning: (124, "", "\(executable) did not finish within \(Int(timeout.seconds)) s and was stopped"))
                    return
                }
                continuation.resume(returning: (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errorData.withLock { $0 }, as: UTF8.self)))
            }.start()
        }
    }
}
