import EarthEngineOperations
import Foundation

/// The terminal's clipboard sequence (OSC 52), which sets the clipboard of the terminal the user sits at, over
/// SSH and through tmux (with `set -g set-clipboard on`). Pure: the TUI writes it.
public enum ClipboardSequence {
    /// The most text one sequence carries (before base64): terminals and tmux cap the sequence's length, and
    /// drop one that is longer whole.
    public static let limit = 64 * 1024

    /// `ESC ] 52 ; c ; base64 BEL`: sets the clipboard to `text`.
    public static func osc52(_ text: String) -> String {
        "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
    }

    /// The leading `lines` that fit ``limit``, one a line, each neutralised (no control, escape, bidi or
    /// invisible character from the server reaches the clipboard, and so a shell it is pasted into), and how
    /// many of them that is.
    public static func fit(_ lines: [String]) -> (text: String, count: Int) {
        var text = ""
        var count = 0
        for line in lines {
            let clean = TerminalText.sanitize(line)
            guard text.utf8.count + clean.utf8.count + 1 <= limit else { break }
            text += clean + "\n"
            count += 1
        }
        return (text, count)
    }
}
