import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file that holds credentials (a key, a refresh token, an access token) with the checks such a file needs:
/// it must be a regular file (a FIFO, a device such as `/dev/zero` or a folder is a clear error, never a hang or an
/// endless read), at most ``maxBytes`` long; a symbolic link is followed and the file it points to is the one
/// judged, its mode included.
public struct CredentialFile: Sendable {
    /// Real credential files are a few kilobytes; this bounds what a wrong path can make eeops read.
    public static let maxBytes = 1 << 20

    public let path: String
    public let contents: Data
    /// The permission bits of the file itself (the link's target for a symbolic link).
    public let mode: mode_t

    /// Opens and reads `path`; `what` names the file in errors ("the credentials file", "the access token file").
    public init(path: String, what: String = "the credentials file") throws(OperationsError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for ever; it is refused below anyway.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .credentials("cannot read \(what) '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .credentials("cannot read \(what) '\(path)': \(String(cString: strerror(errno)))") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .credentials("\(what) '\(path)' is not a regular file (\(Self.kind(of: status.st_mode)))")
        }
        guard status.st_size <= Self.maxBytes else {
            throw .credentials("\(what) '\(path)' is \(status.st_size) bytes long: not a credentials file (at most \(Self.maxBytes / 1024) KiB)")
        }
        mode = status.st_mode & 0o7777
        let data: Data
        do {
            // One byte past the limit, to tell a file that grew since fstat from one that fits.
            data = try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).read(upToCount: Self.maxBytes + 1) ?? Data()
        } catch {
            throw .credentials("cannot read \(what) '\(path)': \((error as NSError).localizedDescription)")
        }
        guard data.count <= Self.maxBytes else {
            throw .credentials("\(what) '\(path)' is longer than \(Self.maxBytes / 1024) KiB: not a credentials file")
        }
        contents = data
    }

    /// A warning when other users can read the file (judged by the file itself, not a link to it).
    public var permissionWarnings: [String] {
        guard mode & 0o077 != 0 else { return [] }
        return ["\(path) can be read by other users (mode \(String(mode & 0o777, radix: 8))): run chmod 600 '\(path)'"]
    }

    private static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a folder"
        case S_IFSOCK: "a socket"
        default: "not a plain file"
        }
    }
}
