/// A terminal colour: the terminal's own default, one of the 16 ANSI colours (0–7, and 8–15 their bright
/// forms), or one of the 256-colour palette's (16–255).
public enum TerminalColor: Sendable, Hashable {
    case terminalDefault
    case index(UInt8)

    /// The ANSI colours' names, in their index order; `bright-NAME` is the index plus 8.
    public static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// A colour as a config file names it: `default`, a name (`cyan`, `bright-red`, also `brightred`), `grey`
    /// (bright black), or a palette index from 0 to 255. Nil for anything else.
    public init?(name: String) {
        let lowered = name.lowercased()
        if lowered == "default" {
            self = .terminalDefault
        } else if let index = UInt8(lowered) {
            self = .index(index)
        } else if lowered == "grey" || lowered == "gray" {
            self = .index(8)
        } else if let base = Self.names.firstIndex(of: lowered) {
            self = .index(UInt8(base))
        } else if lowered.hasPrefix("bright"),
                  let base = Self.names.firstIndex(of: String(lowered.dropFirst("bright".count).drop { $0 == "-" || $0 == "_" })) {
            self = .index(UInt8(base + 8))
        } else {
            return nil
        }
    }

    /// This colour on a terminal that has `available` colours (8, 16, 256 or more): palette colours become the
    /// nearest of the 16 ANSI colours, and bright ones their plain forms on an 8-colour terminal.
    public func fitted(toColors available: Int) -> TerminalColor {
        guard case .index(let index) = self else { return self }
        var fitted = Int(index)
        if fitted >= 16, available < 256 { fitted = Self.nearestANSI(toPaletteIndex: fitted) }
        if fitted >= 8, fitted < 16, available < 16 { fitted -= 8 }
        return .index(UInt8(fitted))
    }

    /// The ANSI colour (0–15) nearest to palette colour `index` (16–255), by the xterm palette's RGB values.
    static func nearestANSI(toPaletteIndex index: Int) -> Int {
        let rgb: (Int, Int, Int)
        if index >= 232 {
            let grey = 8 + (index - 232) * 10
            rgb = (grey, grey, grey)
        } else {
            let cube = index - 16
            let level = { (step: Int) in step == 0 ? 0 : 55 + step * 40 }
            rgb = (level(cube / 36), level(cube / 6 % 6), level(cube % 6))
        }
        let ansi: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
            let (r, g, b2) = (a.0 - b.0, a.1 - b.1, a.2 - b.2)
            return r * r + g * g + b2 * b2
        }
        return ansi.indices.min { distance(ansi[$0], rgb) < distance(ansi[$1], rgb) } ?? 7
    }
}

/// The colours of the screen by meaning (``CellStyle/Role``): the built-in `default`, `mono` and `high-contrast`,
/// or one from the config file. `NO_COLOR` and `--no-color` choose `mono` whatever the theme.
public struct Theme: Sendable, Equatable {
    /// A role's colours, and whether it is drawn bold.
    public struct Colors: Sendable, Equatable {
        public var foreground: TerminalColor
        public var background: TerminalColor
        public var bold: Bool

        public init(foreground: TerminalColor = .terminalDefault, background: TerminalColor = .terminalDefault, bold: Bool = false) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
        }
    }

    public var name: String
    /// The roles drawn in colour; the others take the terminal's colours. Empty: no colour at all, meaning is
    /// carried by attributes (bold, underline, reverse) and by the text, which always says the state.
    public var colors: [CellStyle.Role: Colors]
    /// Whether the `dim` role is drawn dim (high contrast draws it plain).
    public var dimsText: Bool

    public init(name: String, colors: [CellStyle.Role: Colors], dimsText: Bool = true) {
        self.name = name
        self.colors = colors
        self.dimsText = dimsText
    }

    public var usesColor: Bool { !colors.isEmpty }

    /// The colours as a terminal with `available` colours can show them.
    public func colors(fittedTo available: Int) -> [CellStyle.Role: Colors] {
        colors.mapValues { Colors(foreground: $0.foreground.fitted(toColors: available), background: $0.background.fitted(toColors: available), bold: $0.bold) }
    }

    private static func ansi(_ name: String) -> TerminalColor { TerminalColor(name: name)! }

    public static let `default` = Theme(name: "default", colors: [
        .pending: Colors(foreground: ansi("yellow")), .running: Colors(foreground: ansi("cyan")),
        .cancelling: Colors(foreground: ansi("magenta")), .succeeded: Colors(foreground: ansi("green")),
        .cancelled: Colors(foreground: ansi("blue")), .failed: Colors(foreground: ansi("red")),
        .warning: Colors(foreground: ansi("yellow")), .error: Colors(foreground: ansi("red")),
        .highlight: Colors(foreground: ansi("black"), background: ansi("yellow")),
        .title: Colors(foreground: ansi("white"), background: ansi("blue")),
    ])

    public static let mono = Theme(name: "mono", colors: [:])

    /// Bright colours on black, bold states and marks, and no dim text.
    public static let highContrast = Theme(name: "high-contrast", colors: [
        .plain: Colors(foreground: ansi("bright-white"), background: ansi("black")),
        .dim: Colors(foreground: ansi("white"), background: ansi("black")),
        .header: Colors(foreground: ansi("bright-white"), background: ansi("black"), bold: true),
        .pending: Colors(foreground: ansi("bright-yellow"), background: ansi("black"), bold: true),
        .running: Colors(foreground: ansi("bright-cyan"), background: ansi("black"), bold: true),
        .cancelling: Colors(foreground: ansi("bright-magenta"), background: ansi("black"), bold: true),
        .succeeded: Colors(foreground: ansi("bright-green"), background: ansi("black"), bold: true),
        .cancelled: Colors(foreground: ansi("bright-blue"), background: ansi("black"), bold: true),
        .failed: Colors(foreground: ansi("bright-red"), background: ansi("black"), bold: true),
        .warning: Colors(foreground: ansi("bright-yellow"), background: ansi("black"), bold: true),
        .error: Colors(foreground: ansi("bright-red"), background: ansi("black"), bold: true),
        .highlight: Colors(foreground: ansi("black"), background: ansi("bright-yellow"), bold: true),
        .title: Colors(foreground: ansi("black"), background: ansi("bright-white"), bold: true),
        .dialog: Colors(foreground: ansi("bright-white"), background: ansi("black")),
        .button: Colors(foreground: ansi("bright-white"), background: ansi("black"), bold: true),
    ], dimsText: false)

    /// The built-in themes, by name.
    public static let builtIn: [Theme] = [.default, .mono, .highContrast]

    public static func named(_ name: String) -> Theme? { builtIn.first { $0.name == name.lowercased() } }

    /// A role as a config file names it: `running`, `title`, ... (its case name, any case).
    public static func role(named name: String) -> CellStyle.Role? {
        CellStyle.Role.allCases.first { "\($0)".lowercased() == name.lowercased() }
    }
}
