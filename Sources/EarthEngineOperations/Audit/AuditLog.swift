import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One line of the audit log: something that happened to a cancel or delete the user asked for.
public struct AuditEntry: Sendable, Encodable {
    /// What the user did: `cancel` or `delete`.
    public enum Action: String, Sendable, Encodable { case cancel, delete }
    /// How far it got: asked for, sent, answered (accepted or rejected), or its final observed state.
    public enum Stage: String, Sendable, Encodable { case requested, sent, accepted, rejected, final }

    public var time: String
    public var action: Action
    public var stage: Stage
    public var name: String
    /// The google.rpc code of a rejection.
    public var code: String?
    /// The state observed at the end, or the outcome in words.
    public var outcome: String?
    public var message: String?
    /// `cli` or `tui`, and the process, so that concurrent sessions can be told apart.
    public var tool: String
    public var pid: Int32

    public init(action: Action, stage: Stage, name: String, code: String? = nil, outcome: String? = nil, message: String? = nil, tool: String) {
        self.time = Timestamp.format(Date(), fractionDigits: 3)
        self.action = action
        self.stage = stage
        self.name = name
        self.code = code
        self.outcome = outcome
        self.message = message
        self.tool = tool
        self.pid = getpid()
    }
}

/// An append-only JSON-lines log of the cancels and deletes the user asked for and what became of them.
///
/// Each entry, or each batch of entries asked for at once, is one `write(2)` of whole lines to a file opened
/// with `O_APPEND`, followed by `fsync`, so that a crash loses at most the lines being written and never
/// truncates or rewrites earlier ones. A partial last line left by a crash is closed off before the next entry.
public final class AuditLog: Sendable {
    public let path: String
    private let descriptor: Locked<Int32>

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
        let opened = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard opened >= 0 else {
            throw .configuration("cannot write the audit log '\(path)': \(String(cString: strerror(errno))) (use --audit-log FILE)")
        }
        descriptor = Locked(opened)
        closeOffPartialLine(opened)
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    /// Appends `entry` durably.
    public func record(_ entry: AuditEntry) {
        record([entry])
    }

    /// Appends `entries` durably with one write and one `fsync` (an `fsync` takes about 0.1 ms: for the
    /// 1,000 operations of a `cancel --all`, one each would hold the first request back by 0.1 s).
    public func record(_ entries: [AuditEntry]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for entry in entries {
            guard let line = try? encoder.encode(entry) else { continue }
            lines.append(line)
            lines.append(0x0A)
        }
        guard !lines.isEmpty else { return }
        descriptor.withLock { descriptor in
            let written = lines.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written == lines.count { _ = fsync(descriptor) }
        }
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
