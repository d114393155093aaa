import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation
import SystemPackage

/// `--notify` and `--notify-command`, for `wait`, `watch` and the TUI.
struct NotifyOptions: ParsableArguments {
    @Flag(name: .long, help: "When an operation of interest ends, ring the bell and send a desktop notification through the terminal (OSC 9, or OSC 777 where the terminal prefers it); never into piped output.")
    var notify = false

    @Option(name: .customLong("notify-command"), help: ArgumentHelp("Run this shell command each time an operation of interest ends, with EEOPS_NAME, EEOPS_STATE, EEOPS_DESCRIPTION and EEOPS_EECU_SECONDS set; it runs alongside, never holding up the refresh.", valueName: "command"))
    var notifyCommand: String?

    func validate() throws {
        if notifyCommand?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("invalid --notify-command: expected a command") }
    }

    /// The notifier, or nil when neither option is given. `quiet` sends the command's output nowhere (the TUI
    /// owns the terminal).
    func makeNotifier(quiet: Bool = false) -> EndingNotifier? {
        guard notify || notifyCommand != nil else { return nil }
        return EndingNotifier(toTerminal: notify, command: notifyCommand, quiet: quiet)
    }
}

/// Tells the user that an operation ended: the bell and a desktop notification written to the controlling
/// terminal (`/dev/tty`, so never into standard output, piped or not), and the user's command, started and left
/// to run. A terminal that cannot be opened (no controlling terminal) is skipped silently; a command that cannot
/// start is said once on standard error (or not at all while the TUI owns the terminal).
final class EndingNotifier: Sendable {
    private let terminal: FileDescriptor?
    private let style: EndingNotification.Style
    private let insideTmux: Bool
    private let command: String?
    private let quiet: Bool
    /// The commands still running, kept until they end.
    private let running = Locked<[ObjectIdentifier: Process]>([:])
    private let commandFailed = Locked(false)

    init(toTerminal: Bool, command: String?, quiet: Bool) {
        let environment = ProcessInfo.processInfo.environment
        terminal = toTerminal ? try? FileDescriptor.open("/dev/tty", .writeOnly, options: [.closeOnExec]) : nil
        style = EndingNotification.style(environment: environment)
        insideTmux = environment["TMUX"] != nil
        self.command = command
        self.quiet = quiet
    }

    deinit { try? terminal?.close() }

    /// Notifies that `operation` ended; returns at once.
    func ended(_ operation: LongRunningOperation) {
        if let terminal {
            _ = try? terminal.writeAll(EndingNotification.terminalSequence(operation, style: style, insideTmux: insideTmux).utf8)
        }
        if let command { run(command, for: operation) }
    }

    private func run(_ command: String, for operation: LongRunningOperation) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(EndingNotification.environment(operation)) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        if quiet { process.standardError = FileHandle.nullDevice }
        let key = ObjectIdentifier(process)
        process.terminationHandler = { [running] _ in _ = running.withLock { $0.removeValue(forKey: key) } }
        running.withLock { $0[key] = process }
        do {
            try process.run()
        } catch {
            running.withLock { _ = $0.removeValue(forKey: key) }
            let first = commandFailed.withLock { failed in defer { failed = true }; return !failed }
            if first, !quiet { printError("--notify-command could not be started: \(error.localizedDescription)") }
        }
    }

    /// Waits (up to `limit`) for the commands still running, so that the last ending's command is not cut short
    /// when eeops exits.
    func finish(limit: Duration = .seconds(5)) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, !running.withLock({ $0.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
