#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to standard output or standard error through C stdio, so that a page of a listing goes
/// out straight from its bytes, with no `String` made of it as `print` would need.
// Safe because both stored properties are immutable, and `file` is used only through stdio calls, which
// lock the FILE internally.
struct StandardStream: @unchecked Sendable {
    static let output = StandardStream(descriptor: STDOUT_FILENO)
    static let error = StandardStream(descriptor: STDERR_FILENO)

    let descriptor: Int32
    // A stdio stream of our own on the descriptor (C's `stdout` global is not concurrency-safe in Swift 6);
    // stdio locks each call, so concurrent writers do not interleave within a line.
    private let file: UnsafeMutablePointer<FILE>?

    private init(descriptor: Int32) {
        self.descriptor = descriptor
        self.file = fdopen(descriptor, "w")
    }

    /// Writes `text`; standard error is flushed at once.
    func write(_ text: String) {
        write(text.utf8.span)
    }

    /// Writes UTF-8 bytes (a page of a listing); standard error is flushed at once.
    // Safe because fwrite copies the span's bytes into the stream's buffer during the call.
    func write(_ bytes: Span<UInt8>) {
        guard let file else { return }
        bytes.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { _ = fwrite(base, 1, bytes.count, file) }
        }
        if descriptor == STDERR_FILENO { fflush(file) }
    }

    func flush() {
        if let file { fflush(file) }
    }

    /// True when the stream is a terminal.
    var isTerminal: Bool { isatty(descriptor) == 1 }

    /// The terminal's width in columns, when the stream is a terminal.
    var terminalWidth: Int? {
        guard isTerminal else { return nil }
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
}
