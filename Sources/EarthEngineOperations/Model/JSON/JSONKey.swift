import Foundation

/// The key of an object member, valid during the call that receives it. Match it against literals in a
/// `switch` (`case "name":`), or take its ``text``.
public struct JSONKey {
    /// The key's bytes when it has no escapes (`decoded` is nil then).
    let raw: UnsafeBufferPointer<UInt8>
    /// The key's text when it had escapes.
    let decoded: String?

    /// The key as text (invalid UTF-8 repaired).
    public var text: String { decoded ?? String(decoding: raw, as: UTF8.self) }

    @inline(__always)
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        if let decoded = key.decoded { return decoded == pattern.description }
        return pattern.utf8CodeUnitCount == key.raw.count
            && (key.raw.isEmpty || memcmp(pattern.utf8Start, key.raw.baseAddress!, key.raw.count) == 0)
    }
}
