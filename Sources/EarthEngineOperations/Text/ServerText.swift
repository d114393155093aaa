/// Text that a server sent (an error message, a proxy's page, a token endpoint's complaint), made fit for a
/// message where it is received: neutralised by ``TerminalText/sanitize(_:)`` and cut to a length a person
/// reads, so that nothing raw or endless reaches a screen, a log line or an error.
public enum ServerText {
    /// The most characters of server text kept in one message.
    public static let messageLimit = 500

    /// `text` sanitised and cut to `limit` characters, saying how much was left out.
    public static func message(_ text: String, limit: Int = messageLimit) -> String {
        let safe = TerminalText.sanitize(text)
        guard safe.count > limit else { return safe }
        let kept = safe.prefix(limit)
        return kept + "… (\(safe.count - limit) more characters)"
    }

    /// The most bytes of one field the detail view shows (a description can be megabytes long).
    public static let detailLimit = 64 * 1024

    /// At most `maxBytes` of `text` (cut where a scalar starts), followed by "… N more bytes" when it was cut.
    /// Not sanitised: sanitise the result.
    public static func capped(_ text: String, maxBytes: Int = detailLimit) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxBytes else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: maxBytes)
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) } // not inside a character
        let kept = String(Substring(utf8[..<end]))
        return kept + "… \(utf8.count - kept.utf8.count) more bytes"
    }
}
