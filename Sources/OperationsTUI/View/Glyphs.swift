import EarthEngineOperations
import OperationsPresentation

/// The symbols the TUI draws, in Unicode or in plain ASCII for terminals without UTF-8.
struct Glyphs: Sendable {
    var arrow: String
    var ellipsis: String
    var horizontal: String
    var vertical: String
    var topLeft: String
    var topRight: String
    var bottomLeft: String
    var bottomRight: String
    var separator: String
    var sortUp: String
    var sortDown: String

    static let unicode = Glyphs(arrow: "→", ellipsis: "…", horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
                                bottomLeft: "└", bottomRight: "┘", separator: " · ", sortUp: "↑", sortDown: "↓")
    static let ascii = Glyphs(arrow: "->", ellipsis: "~", horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
                              bottomLeft: "+", bottomRight: "+", separator: " | ", sortUp: "^", sortDown: "v")
}

/// Makes untrusted text safe to draw: neutralised, and ASCII-only in ASCII mode.
struct TextPolicy: Sendable {
    let ascii: Bool
    let glyphs: Glyphs

    init(ascii: Bool) {
        self.ascii = ascii
        glyphs = ascii ? .ascii : .unicode
    }

    func safe(_ text: String) -> String {
        let clean = TerminalText.sanitize(text)
        return ascii ? TerminalText.asciiOnly(clean) : clean
    }

    func fit(_ text: String, _ width: Int, alignRight: Bool = false) -> String {
        TerminalText.fit(text, to: width, alignRight: alignRight, ellipsis: glyphs.ellipsis)
    }
}
