import OperationsPresentation

/// How a cell looks, by meaning; the terminal adapter turns it into colours and attributes.
public struct CellStyle: Hashable, Sendable {
    public enum Role: Hashable, Sendable {
        case plain, title, dim, header, warning, error, highlight, dialog, button
        case pending, running, cancelling, succeeded, cancelled, failed
    }

    public var role: Role
    public var bold = false
    public var reverse = false
    public var underline = false

    public init(_ role: Role, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = CellStyle(.plain)
}

/// One character cell. A wide character fills its cell and leaves the next one as a continuation
/// (empty `text`); combining marks join the character before them.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var style: CellStyle

    public static let blank = Cell(text: " ", style: .plain)
    var isContinuation: Bool { text.isEmpty }
}

/// A grid of cells the size of the terminal: what the view draws and the adapter sends to curses.
public struct ScreenBuffer: Sendable, Equatable {
    public let size: TerminalSize
    public private(set) var rows: [[Cell]]

    public init(size: TerminalSize) {
        self.size = size
        rows = Array(repeating: Array(repeating: .blank, count: max(0, size.columns)), count: max(0, size.rows))
    }

    /// Writes `text` (already sanitised) from column `x` of row `y`, at most `width` columns, clipped at the
    /// edge; a wide character that does not fit is replaced by a space. Returns the columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, width: Int? = nil, style: CellStyle = .plain) -> Int {
        guard y >= 0, y < size.rows, x >= 0, x < size.columns else { return 0 }
        let limit = min(size.columns, x + (width ?? size.columns))
        var column = x
        for scalar in text.unicodeScalars {
            let w = TerminalText.width(of: scalar)
            if w == 0 {
                if column > x, !rows[y][column - 1].isContinuation {
                    rows[y][column - 1].text.unicodeScalars.append(scalar)
                } else if column > x + 1, rows[y][column - 1].isContinuation {
                    rows[y][column - 2].text.unicodeScalars.append(scalar)
                }
                continue
            }
            if column + w > limit {
                if column < limit { rows[y][column] = Cell(text: " ", style: style) }
                column = limit
                break
            }
            rows[y][column] = Cell(text: String(scalar), style: style)
            if w == 2 { rows[y][column + 1] = Cell(text: "", style: style) }
            column += w
        }
        return column - x
    }

    /// Fills columns `x..<x+width` of row `y` with spaces in `style`.
    public mutating func fill(x: Int, y: Int, width: Int, style: CellStyle) {
        guard y >= 0, y < size.rows else { return }
        for column in max(0, x)..<min(size.columns, x + width) { rows[y][column] = Cell(text: " ", style: style) }
    }

    /// Applies `change` to the style of every cell of row `y`.
    public mutating func restyle(row y: Int, _ change: (inout CellStyle) -> Void) {
        guard y >= 0, y < size.rows else { return }
        for column in 0..<size.columns { change(&rows[y][column].style) }
    }

    /// The screen as text, one line per row, trailing spaces removed: for snapshots and tests.
    public var text: String {
        rows.map { row in
            var line = ""
            for cell in row where !cell.isContinuation { line += cell.text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// The text of one row.
    public func line(_ y: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)[y].description
    }
}
