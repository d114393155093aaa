import Foundation
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// One line of the audit log: something that happened to a cancel or delete the user asked for. Its time and
/// process are stamped by `AuditLog.record` when it is written, so that an entry is a plain value
/// (a reducer can decide one without reading the clock).
public struct AuditEntry: Sendable, Encodable, Equatable {
    /// What the user did: `cancel` or `delete`.
    public enum Action: String, Sendable, Encodable, Equatable { case cancel, delete }
    /// How far it got: asked for, sent, answered (accepted or rejected), its final observed state; or, when eeops
    /// stopped first (interrupted, or the log could not be written), never sent or sent and never answered.
    public enum Stage: String, Sendable, Encodable, Equatable {
        case requested, sent, accepted, rejected, final, unanswered
        case notSent = "not_sent"
    }

    /// When it was written (set by the log).
    public private(set) var time: String = ""
    public var action: Action
    public var stage: Stage
    public var name: String
    /// The google.rpc code of a rejection.
    public var code: String?
    /// The state observed at the end, or the outcome in words.
    public var outcome: String?
    public var message: String?
    /// `cli` or `tui`, and the process (set by the log), so that concurrent sessions can be told apart.
    public var tool: String
    public private(set) var pid: Int32 = 0

    public init(action: Action, stage: Stage, name: String, code: String? = nil, outcome: String? = nil, message: String? = nil, tool: String) {
        self.action = action
        self.stage = stage
        self.name = name
        self.code = code
        self.outcome = outcome
        self.message = message
        self.tool = tool
    }

    /// The entry as written now by this process.
    func stamped(at time: Date, pid: Int32) -> AuditEntry {
        var entry = self
        entry.time = Timestamp.format(time, fractionDigits: 3)
        entry.pid = pid
        return entry
    }
}

/// The audit log could not be written (a full disk, an I/O error): what was asked for cannot be accounted for.
public struct AuditWriteError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write the audit log '\(path)': \(reason)" }
}

/// An append-only JSON-lines log of the cancels and deletes the user asked for and what became of them.
///
/// Each entry, or each batch of entries asked for at once, is written whole (one `write(2)`, repeated only
/// for what a short write left) to a file opened with `O_APPEND`, followed by `fsync`, so that a crash loses at most the lines being written and never
/// truncates or rewrites earlier ones. A partial last line left by a crash is closed off before the next entry.
///
/// A write that fails or is cut short throws, and so does every write after it: a caller sends nothing that it
/// could not record first.
public final class AuditLog: Sendable {
    public let path: String
    private let descriptor: Locked<(descriptor: Int32, failure: AuditWriteError?)>

    /// `$XDG_STATE_HOME/eeops/audit.jsonl`, else `~/.local/state/eeops/audit.jsonl`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/eeops/audit.jsonl" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/eeops/audit.jsonl"
    }

    /// Opens (creating it and its folder, private to the user) the log at `path`.
    public init(path: String) throws(OperationsError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .configuration("cannot create the audit log folder '\(directory)': \((error as NSError).localizedDescription)")
            }
        }
        // O_NOFOLLOW: a symbolic link planted at the log's path must not redirect what eeops appends.
        let opened = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard opened >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw .configuration("cannot write the audit log '\(path)': \(reason) (use --audit-log FILE)")
        }
        descriptor = Locked((opened, nil))
        closeOffPartialLine(opened)
    }

    private init(path: String, openDescriptor: Int32) {
        self.path = path
        descriptor = Locked((openDescriptor, nil))
    }

    /// A new, empty log in a file of its own in the temporary folder, with a random name that no one can guess
    /// or take first (it is created only if it does not exist): for the demo, whose cancels are not the user's
    /// real work.
    public static func temporary(prefix: String) throws(OperationsError) -> AuditLog {
        var lastError = Errno.fileExists
        for _ in 0..<8 {
            let path = NSTemporaryDirectory() + prefix + UUID().uuidString + ".jsonl"
            do {
                let opened = try FileDescriptor.open(
                    path, .writeOnly, options: [.create, .exclusiveCreate, .append, .closeOnExec, .noFollow], permissions: .ownerReadWrite)
                return AuditLog(path: path, openDescriptor: opened.rawValue)
            } catch let error as Errno {
                lastError = error
                guard error == .fileExists else { break }
            } catch {
                break
            }
        }
        throw .configuration("cannot create a temporary audit log: \(lastError.description)")
    }

    deinit {
        descriptor.withLock { _ = close($0.descriptor) }
    }

    /// The first write that failed, if one did: from then on every write fails.
    public var failure: AuditWriteError? { descriptor.withLock { $0.failure } }

    /// Appends `entry` durably.
    public func record(_ entry: AuditEntry) throws(AuditWriteError) {
        try record([entry])
    }

    /// Appends `entries` durably with one write and one `fsync`, so that a batch (the operations of a
    /// `cancel --all`) waits for the disk once, not once per entry, before its first request goes out.
    public func record(_ entries: [AuditEntry]) throws(AuditWriteError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        let now = Date(), pid = getpid()
        for entry in entries {
            guard let line = try? encoder.encode(entry.stamped(at: now, pid: pid)) else { continue }
            lines.append(line)
            lines.append(0x0A)
        }
        guard !lines.isEmpty else { return }
        let path = self.path
        let failure = descriptor.withLock { state -> AuditWriteError? in
            if let failure = state.failure { return failure }
            let reason = Self.append(lines, to: state.descriptor)
            if let reason { state.failure = AuditWriteError(path: path, reason: reason) }
            return state.failure
        }
        if let failure { throw failure }
    }

    /// Writes `lines` whole and syncs them; the reason it could not, or nil.
    private static func append(_ lines: Data, to descriptor: Int32) -> String? {
        do {
            try FileDescriptor(rawValue: descriptor).writeAll(lines)
        } catch let error as Errno {
            return error == .noSpace ? "\(error.description) (is the disk full?)" : error.description
        } catch {
            return "\(error)"
        }
        // A log on a device that cannot sync (/dev/null, a pipe) is written all the same.
        if fsync(descriptor) != 0, errno != EINVAL, errno != EROFS { return "fsync failed: \(String(cString: strerror(errno)))" }
        return nil
    }

    /// A crash during a write may have left a line without its newline; end it so the next entry stands alone.
    private func closeOffPartialLine(_ descriptor: Int32) {
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { return }
        defer { close(reader) }
        let size = lseek(reader, 0, SEEK_END)
        guard size > 0, lseek(reader, size - 1, SEEK_SET) >= 0 else { return }
        var last: UInt8 = 0
        if read(reader, &last, 1) == 1, last != 0x0A {
            var newline: UInt8 = 0x0A
            _ = write(descriptor, &newline, 1)
        }
    }
}
