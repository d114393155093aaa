import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// tmux could not be started.
public enum TmuxError: Error { case spawn(Int32) }

/// A real terminal for end-to-end tests: a detached tmux server of our own (its own socket), one pane
/// running a command; keys go in with send-keys and the screen comes out with capture-pane.
public final class TmuxSession {
    public let socket = "eeops-test-\(UUID().uuidString.prefix(8))"

    /// Starts `command` (a shell command line) in a pane of `columns` × `rows`. When the command ends the
    /// pane shows `EXIT=<status>` and stays open.
    public init(columns: Int, rows: Int, command: String) throws {
        let wrapped = "\(command); echo \"EXIT=$?\"; exec sleep 300"
        // The server that new-session starts inherits the client's output: do not wait for it to close.
        try tmux(["new-session", "-d", "-s", "main", "-x", String(columns), "-y", String(rows), wrapped], captureOutput: false)
        serverPID = Int32(try display("#{pid}"))
    }

    private var serverPID: Int32?

    deinit { close() }

    /// Ends the tmux server and everything running in it (the pane's processes get SIGHUP). The server is
    /// also signalled directly, in case its socket is gone.
    public func close() {
        guard serverPID != nil else { return }
        if let command = try? commandPID() { kill(command, SIGKILL) }
        if let pane = Int32((try? display("#{pane_pid}")) ?? "") { kill(pane, SIGKILL) }
        _ = try? tmux(["kill-server"], captureOutput: false)
        if let serverPID, serverPID > 1 { kill(serverPID, SIGKILL) }
        serverPID = nil
    }

    /// Runs a tmux command on this session's server and returns its output. Uses posix_spawn and waitpid
    /// directly: the server that `new-session` starts keeps the client's descriptors open.
    @discardableResult
    public func tmux(_ arguments: [String], captureOutput: Bool = true) throws -> String {
        let argv = ["tmux", "-L", socket, "-f", "/dev/null"] + arguments
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw TmuxError.spawn(errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, "tmux", &actions, nil, cArguments, environ)
        Glibc.close(pipeEnds[1])
        defer { Glibc.close(pipeEnds[0]) }
        guard status == 0 else { throw TmuxError.spawn(status) }
        var output = [UInt8]()
        if captureOutput {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(pipeEnds[0], &buffer, buffer.count)
                if count <= 0 { break }
                output += buffer[0..<count]
            }
        }
        var exitStatus: Int32 = 0
        _ = waitpid(pid, &exitStatus, 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// Sends keys as tmux names them ("Enter", "Escape", "Space", "Down") or literal text with `literal`.
    public func send(_ keys: String..., literal: Bool = false) throws {
        try tmux(["send-keys", "-t", "main"] + (literal ? ["-l"] : []) + keys)
    }

    public func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "main"]) }

    /// The screen with its colours and attributes as SGR escape sequences (`capture-pane -e`).
    public func screenWithEscapes() throws -> String { try tmux(["capture-pane", "-p", "-e", "-t", "main"]) }

    /// A tmux format of the pane, e.g. `#{alternate_on}`.
    public func display(_ format: String) throws -> String {
        try tmux(["display-message", "-p", "-t", "main", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", "main", "-x", String(columns), "-y", String(rows)])
    }

    /// Waits until the screen satisfies `condition`; returns the last screen either way. Sleeps
    /// asynchronously so that the emulator serving the test keeps its threads.
    @discardableResult
    public func waitFor(timeout: Double = 20, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 20) async throws -> String {
        try await waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// The pid of the eeops process running in the pane: the shell's child, or a descendant of it when the pane
    /// runs an interactive shell.
    public func commandPID() throws -> Int32? {
        guard let shell = Int32(try display("#{pane_pid}")) else { return nil }
        var parents: [Int32: Int32] = [:]
        var eeops: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let parent = Int32(fields[1]) else { continue }
            parents[pid] = parent
            if stat.contains("(eeops)") { eeops.append(pid) }
        }
        return eeops.first { pid in
            var ancestor = parents[pid]
            while let current = ancestor, current > 1 {
                if current == shell { return true }
                ancestor = parents[current]
            }
            return false
        }
    }
}
