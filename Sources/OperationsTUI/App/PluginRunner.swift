import Foundation

/// Runs plugins' commands (``Effect/runPlugin(_:)``): through `/usr/bin/env`, so that the program is found on
/// `PATH`, with the interface's environment and the run's variables (``Plugin/Run/environment``).
enum PluginRunner {
    /// Starts the command with its input and output on /dev/null (the screen is the interface's) and calls
    /// `finished` from another thread when it ends.
    static func runInBackground(_ run: Plugin.Run, finished: @escaping @Sendable (Result<Int32, PluginFailure>) -> Void) {
        let process = makeProcess(run)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.terminationHandler = { finished(.success(exitStatus(of: $0))) }
        do { try process.run() } catch { finished(.failure(PluginFailure(error.localizedDescription))) }
    }

    /// Runs the command on the terminal, which the caller has handed over, and waits for it to end.
    static func runInForeground(_ run: Plugin.Run) -> Result<Int32, PluginFailure> {
        let process = makeProcess(run)
        do { try process.run() } catch { return .failure(PluginFailure(error.localizedDescription)) }
        process.waitUntilExit()
        return .success(exitStatus(of: process))
    }

    private static func makeProcess(_ run: Plugin.Run) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = run.arguments
        // `~/bin/resubmit` as a shell would expand it.
        if let first = arguments.first, first.hasPrefix("~/") {
            arguments[0] = FileManager.default.homeDirectoryForCurrentUser.path + String(first.dropFirst())
        }
        process.arguments = ["--"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(run.environment) { $1 }
        return process
    }

    /// The exit status, or 128 plus the signal that ended the command, as a shell reports it.
    private static func exitStatus(of process: Process) -> Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
