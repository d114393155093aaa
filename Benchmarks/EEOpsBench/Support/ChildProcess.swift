import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left: status, wall time, and its output when captured.
struct ChildResult: Sendable {
    var status: Int32
    var seconds: Double
    var output: String
}

/// Runs other programs (eeops, curl, the official clients) as a user would, timing them from spawn to exit.
/// Waiting happens on a thread of its own: the in-process emulator keeps the concurrency pool.
enum ChildProcess {
    /// Runs `arguments` with `environment`; standard output goes to /dev/null unless `captureOutput`.
    static func run(_ arguments: [String], environment: [String: String], captureOutput: Bool = false) async throws -> ChildResult {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(arguments, environment: environment, captureOutput: captureOutput) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Starts `arguments` and returns its pid at once (output to /dev/null); the caller ends it with `stop`.
    static func start(_ arguments: [String], environment: [String: String]) throws -> pid_t {
        try spawn(arguments, environment: environment, outputFD: nil)
    }

    /// SIGTERM, then waits (SIGKILL after 5 s).
    static func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0); return }
            usleep(10_000)
        }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String], captureOutput: Bool) throws -> ChildResult {
        var pipeEnds: [Int32] = [-1, -1]
        if captureOutput, pipe(&pipeEnds) != 0 { throw BenchError("pipe failed: errno \(errno)") }
        let started = now()
        let pid = try spawn(arguments, environment: environment, outputFD: captureOutput ? pipeEnds : nil)
        var output = [UInt8]()
        if captureOutput {
            close(pipeEnds[1])
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(pipeEnds[0], &buffer, buffer.count)
                if count <= 0 { break }
                output += buffer[0..<count]
            }
            close(pipeEnds[0])
        }
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        let seconds = now() - started
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildResult(status: exit, seconds: seconds, output: String(decoding: output, as: UTF8.self))
    }

    private static func spawn(_ arguments: [String], environment: [String: String], outputFD: [Int32]?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        if let outputFD {
            posix_spawn_file_actions_adddup2(&actions, outputFD[1], 1)
            posix_spawn_file_actions_addclose(&actions, outputFD[0])
            posix_spawn_file_actions_addclose(&actions, outputFD[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard status == 0 else { throw BenchError("cannot start \(arguments[0]): error \(status)") }
        return pid
    }
}

/// Reads a process's memory and CPU time from /proc.
enum ProcessProbe {
    /// Resident set (VmRSS) and its peak (VmHWM), in KiB.
    static func memory(of pid: pid_t) -> (rss: Double, peak: Double)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Double? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
        }
        guard let rss = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (rss, peak)
    }

    /// User plus system CPU seconds used so far.
    static func cpuSeconds(of pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
