import ArgumentParser
import EarthEngineOperations
import Foundation
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Appends the TUI's diagnostics (`--log-file`) to a file, a pipe or a terminal with plain `write(2)` calls: a
/// path that cannot be opened is a clear error at start; a write that fails later (a full disk, a closed pipe)
/// turns the log off, once, instead of stopping the interface.
final class DiagnosticsLog: Sendable {
    private let state: Locked<(descriptor: Int32, failed: Bool)>

    init(path: String) throws {
        // O_NOFOLLOW: a symbolic link planted at the path must not redirect the lines.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw ValidationError("cannot write --log-file '\(path)': \(reason)")
        }
        state = Locked((descriptor, false))
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    /// True once a write failed: later lines are dropped.
    var hasFailed: Bool { state.withLock { $0.failed } }

    /// Appends one line; drops it (and every later one) once a write has failed.
    func write(_ line: String) {
        state.withLock { state in
            guard !state.failed else { return }
            do {
                try FileDescriptor(rawValue: state.descriptor).writeAll((line + "\n").utf8)
            } catch {
                state.failed = true
            }
        }
    }
}
