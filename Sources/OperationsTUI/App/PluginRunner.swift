import CProcessSupport
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

    /// Runs the command on the terminal, which the caller has handed over, as a shell runs a job in the
    /// foreground (`eeops_run_in_foreground`): it can read the terminal, and Ctrl-C and Ctrl-Z reach it. Foundation's
    /// `Process` cannot: it starts the command in a process group of its own, which the terminal stops when it reads.
    static func runInForeground(_ run: Plugin.Run) -> Result<Int32, PluginFailure> {
        // C copies of the arguments and the environment, freed once the command has ended: the C side only reads
        // them, and they outlive the call.
        let arguments = argv(run).map { strdup($0) } + [nil]
        let environment = environment(run).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            arguments.forEach { free($0) }
            environment.forEach { free($0) }
        }
        let status = eeops_run_in_foreground(arguments, environment)
        return status >= 0 ? .success(status) : .failure(PluginFailure(String(cString: strerror(-status))))
    }

    private static func makeProcess(_ run: Plugin.Run) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--"] + argv(run)
        process.environment = environment(run)
        return process
    }

    /// The command's arguments, `~/bin/resubmit` expanded as a shell would.
    private static func argv(_ run: Plugin.Run) -> [String] {
        var arguments = run.arguments
        if let first = arguments.first, first.hasPrefix("~/") {
            arguments[0] = FileManager.default.homeDirectoryForCurrentUser.path + String(first.dropFirst())
        }
        return arguments
    }

    private static func environment(_ run: Plugin.Run) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(run.environment) { $1 }
    }

    /// The exit status, or 128 plus the signal that ended the command, as a shell reports it.
    private static func exitStatus(of process: Process) -> Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
