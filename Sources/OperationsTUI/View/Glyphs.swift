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
    /// After the state of an operation near the end of its ten-day lifetime.
    var lifetime: String
    /// After the state of an operation past the budget guard's EECU limit (`--eecu-limit`).
    var overBudget: String

    static let unicode = Glyphs(arrow: "→", ellipsis: "…", horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
                                bottomLeft: "└", bottomRight: "┘", separator: " · ", sortUp: "↑", sortDown: "↓", lifetime: "⌛",
                                overBudget: "$!")
    static let ascii = Glyphs(arrow: "->", ellipsis: "~", horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
                              bottomLeft: "+", bottomRight: "+", separator: " | ", sortUp: "^", sortDown: "v", lifetime: "(10d!)",
                              overBudget: "$!")
}

/// Makes untrusted text safe to draw: neutralised, and ASCII-only in ASCII mode.
struct TextPolicy: Sendable {
    let ascii: Bool
    let glyphs: Glyphs

    init(ascii: Bool) {
        self.ascii = ascii
        glyphs = ascii ? .ascii : .unicode
    }

    /// `text` neutralised; in ASCII mode, the interface's own symbols spelled in ASCII (`…` as `...`, `↑` as `^`)
    /// and anything else outside ASCII replaced. Every text the interface draws goes through here.
    func safe(_ text: String) -> String {
        let clean = TerminalText.sanitize(text)
        guard ascii else { return clean }
        var spelled = ""
        for character in clean { spelled += Self.asciiSpellings[character] ?? String(character) }
        return TerminalText.asciiOnly(spelled)
    }

    /// The interface's symbols (and a dash it writes) as ASCII spells them.
    private static let asciiSpellings: [Character: String] = [
        "…": "...", "·": "|", "→": "->", "↑": "^", "↓": "v", "—": "-", "─": "-", "│": "|",
        "┌": "+", "┐": "+", "└": "+", "┘": "+", "⌛": "(10d!)",
    ]

    func fit(_ text: String, _ width: Int, alignRight: Bool = false) -> String {
        TerminalText.fit(text, to: width, alignRight: alignRight, ellipsis: glyphs.ellipsis)
    }
}
