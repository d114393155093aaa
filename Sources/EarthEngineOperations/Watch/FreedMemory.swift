import Foundation

/// How the long-running commands (the TUI, `watch`) keep resident memory close to what they hold, with
/// glibc's allocator; both calls do nothing elsewhere.
public enum FreedMemory {
    /// glibc's `mallopt` and `malloc_trim`, which Swift's Glibc module does not expose, looked up once.
    private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = symbol("mallopt")
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = symbol("malloc_trim")

    private static func symbol<Function>(_ name: String) -> Function? {
        #if canImport(Glibc)
        // Safe because each caller names `Function` as the C signature of the glibc function it looks up (mallopt,
        // malloc_trim above), and dlsym gives that function's address. A null handle is RTLD_DEFAULT.
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
        #else
        return nil
        #endif
    }

    /// Makes blocks of 128 KB and more (listing pages, arrays and tables of a whole project) come from the
    /// system and go straight back to it. By default glibc raises that threshold each time such a block is
    /// freed; the blocks then come from the heap and leave it fragmented. With the threshold fixed, such blocks
    /// always go back when freed, so that a command refreshing a large project again and again does not grow a
    /// fragmented heap (docs/benchmarks.md).
    public static func returnLargeBlocksDirectly() {
        let mmapThreshold: Int32 = -3 // M_MMAP_THRESHOLD in malloc.h
        _ = mallopt?(mmapThreshold, 128 * 1024)
    }

    /// The opposite, for the commands that list once and exit (`list`): blocks up to 32 MB (a page of a listing
    /// as received, and as written) come from the heap, and freed memory stays there, so that each page reuses
    /// the memory of the page before rather than memory the system must fault in afresh (docs/benchmarks.md).
    public static func keepFreedMemoryForReuse() {
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3 // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD in malloc.h
        _ = mallopt?(mmapThreshold, 32 * 1024 * 1024)
        _ = mallopt?(trimThreshold, Int32.max)
    }

    /// Hands memory kept in the allocator's free lists back to the system: called after a large listing has
    /// been absorbed, so that resident memory follows what is held, not the peak. One call at a time: the pollers
    /// of several projects and the TUI call it from their own threads, and glibc's `malloc_trim` sets up its
    /// allocator on its first call without a lock when nothing has used it yet (under the address sanitizer, whose
    /// allocator replaces it, two first calls at once crashed in `mtrim`).
    public static func release() {
        trimming.withLock { _ in _ = mallocTrim?(0) }
    }

    private static let trimming = Locked(())
}
