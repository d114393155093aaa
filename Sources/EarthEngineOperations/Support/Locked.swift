import Foundation

/// A value guarded by a lock: eeops's one way to share mutable state between threads.
///
/// It is an `NSLock` (a pthread mutex) rather than the standard library's `Mutex`: under contention
/// `Mutex` on Linux waits in the kernel on a priority-inheriting futex, which the thread sanitizer cannot
/// see, so the sanitizer would report the accesses the lock guards as races. Uncontended, the two cost about
/// the same.
// Safe because `value` is only reached through `withLock`, with `lock` held; callers must not let a
// reference into the value escape `body`.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
