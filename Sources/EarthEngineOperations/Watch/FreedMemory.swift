import Foundation

/// Hands memory the allocator keeps in its free lists back to the system (glibc's `malloc_trim`). Called
/// after a large listing has been absorbed, so that resident memory follows what is held, not the peak.
public enum FreedMemory {
    /// glibc's `malloc_trim`, which Swift's Glibc module does not expose, looked up once; nil elsewhere.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    public static func release() {
        _ = mallocTrim?(0)
    }
}
