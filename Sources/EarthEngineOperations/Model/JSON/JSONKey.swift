/// The key of an object member, valid during the call that receives it. Match it against literals in a
/// `switch` (`case "name":`), or take its ``text``.
public struct JSONKey: ~Escapable {
    /// The key's bytes when it has no escapes (`decoded` is nil then).
    let raw: Span<UInt8>
    /// The key's text when it had escapes.
    let decoded: String?

    @_lifetime(copy raw)
    init(raw: Span<UInt8>, decoded: String?) {
        self.raw = raw
        self.decoded = decoded
    }

    /// The key as text (invalid UTF-8 repaired).
    public var text: String { decoded ?? String(decodingUTF8: raw) }

    @inline(__always)
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        if let decoded = key.decoded { return decoded == pattern.description }
        return key.raw.equals(pattern)
    }
}
