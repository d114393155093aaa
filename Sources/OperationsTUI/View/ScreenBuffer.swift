import EarthEngineOperations
import OperationsPresentation

/// How a cell looks, by meaning; the terminal adapter turns it into colours and attributes.
public struct CellStyle: Hashable, Sendable {
    public enum Role: UInt8, CaseIterable, Hashable, Sendable {
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

/// One character cell: a trivial value of eight bytes, copied and compared without reference counting.
/// A wide character fills its cell and leaves the next one as a continuation (scalar 0); combining marks
/// that join a cell's character are kept beside the grid (`ScreenBuffer.marks(x:y:)`), and flagged here.
public struct Cell: Hashable, Sendable {
    /// The scalar value in the low 21 bits; the top bit says that combining marks join the character.
    private var bits: UInt32
    public var style: CellStyle

    public init(_ scalar: Unicode.Scalar, style: CellStyle) {
        bits = scalar.value
        self.style = style
    }

    /// The character's Unicode scalar value, or 0 on the right half of a wide character.
    public var scalar: UInt32 { bits & 0x1F_FFFF }
    /// Whether combining marks join the character.
    public var hasMarks: Bool { bits & Self.marksFlag != 0 }
    var isContinuation: Bool { scalar == 0 }

    static let blank = Cell(" ", style: .plain)
    static func continuation(_ style: CellStyle) -> Cell {
        var cell = Cell(" ", style: style)
        cell.bits = 0
        return cell
    }

    private static let marksFlag: UInt32 = 1 << 31
    mutating func flagMarks() { bits |= Self.marksFlag }
}

/// A grid of cells the size of the terminal: what the view draws and the adapter sends to curses.
public struct ScreenBuffer: Sendable, Equatable {
    public let size: TerminalSize
    /// The cells, row after row, `size.columns` to a row.
    public private(set) var cells: [Cell]
    /// Combining marks by cell index, for the cells flagged as having them: rare, so kept here and `Cell`
    /// stays trivial.
    private var marks: [Int: String] = [:]

    public init(size: TerminalSize) {
        self.size = TerminalSize(columns: max(0, size.columns), rows: max(0, size.rows))
        cells = Array(repeating: .blank, count: self.size.columns * self.size.rows)
    }

    /// The cells of row `y`.
    public func row(_ y: Int) -> ArraySlice<Cell> {
        cells[y * size.columns ..< (y + 1) * size.columns]
    }

    /// The combining marks that join the character at column `x` of row `y`, if any.
    public func marks(x: Int, y: Int) -> String? {
        let index = y * size.columns + x
        return cells[index].hasMarks ? marks[index] : nil
    }

    /// The column ranges of row `y` that differ from `previous`'s, in order: every changed cell (character,
    /// look or combining marks) is in one; each starts on a character, not on the right half of a wide one,
    /// and takes in the right half of its last; ranges fewer than `joiningGap` unchanged cells apart are one.
    /// The whole row when there is no previous screen of this size.
    public func changedSpans(inRow y: Int, since previous: ScreenBuffer?, joiningGap: Int = 4) -> [Range<Int>] {
        let columns = size.columns
        precondition(y >= 0 && y < size.rows, "row \(y) is outside the screen")
        guard let previous, previous.size == size else { return columns > 0 ? [0..<columns] : [] }
        let start = y * columns
        var spans: [Range<Int>] = []
        let new = cells, old = previous.cells
        var x = 0
        while x < columns {
            guard changed(start + x, new, old, previous) else {
                x += 1
                continue
            }
            var lower = x
            while lower > 0, new[start + lower].isContinuation { lower -= 1 }
            var upper = x + 1
            var probe = upper
            while probe < columns, probe - upper < joiningGap {
                if changed(start + probe, new, old, previous) { upper = probe + 1 }
                probe += 1
            }
            while upper < columns, new[start + upper].isContinuation { upper += 1 }
            if let last = spans.last, last.upperBound >= lower {
                spans[spans.count - 1] = last.lowerBound..<upper
            } else {
                spans.append(lower..<upper)
            }
            x = max(upper, probe)
        }
        return spans
    }

    /// True when cell `index` differs between `new` (this buffer's cells) and `old` (`previous`'s).
    @inline(__always)
    private func changed(_ index: Int, _ new: [Cell], _ old: [Cell], _ previous: ScreenBuffer) -> Bool {
        new[index] != old[index] || (new[index].hasMarks && marks[index] != previous.marks[index])
    }

    /// Writes `text` (already sanitised) from column `x` of row `y`, at most `width` columns, clipped at the
    /// edge; a wide character that does not fit is replaced by a space; control characters are dropped.
    /// Returns the columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, width: Int? = nil, style: CellStyle = .plain) -> Int {
        guard y >= 0, y < size.rows, x >= 0, x < size.columns else { return 0 }
        let limit = min(size.columns, x + (width ?? size.columns))
        return editRow(y) { row in
            // Printable ASCII, the common case, is one cell a byte.
            var column = x
            var asciiPrefix = 0
            for byte in text.utf8 {
                guard byte >= 0x20, byte < 0x7F else { break }
                guard column < limit else { return column - x }
                row.put(Cell(Unicode.Scalar(byte), style: style), at: column)
                column += 1
                asciiPrefix += 1
            }
            if asciiPrefix == text.utf8.count { return column - x }
            for scalar in text.unicodeScalars[text.utf8.index(text.startIndex, offsetBy: asciiPrefix)...] {
                // The last defence if unsanitised text ever gets here: C0, DEL and C1 controls never reach ncurses.
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
                let w = TerminalText.width(of: scalar)
                if w == 0 {
                    // A mark joins the character before it (the left half of a wide one).
                    var joined = column - 1
                    if column > x + 1, row[joined].isContinuation { joined -= 1 }
                    if column > x, !row[joined].isContinuation { row.join(scalar, to: joined) }
                    continue
                }
                if column + w > limit {
                    if column < limit { row.put(Cell(" ", style: style), at: column) }
                    column = limit
                    break
                }
                row.put(Cell(scalar, style: style), at: column)
                if w == 2 { row.put(.continuation(style), at: column + 1) }
                column += w
            }
            return column - x
        }
    }

    /// Writes `text` (already sanitised) into exactly `width` columns from column `x` of row `y`: cut to fit,
    /// ending in `ellipsis` when something was cut, and padded with spaces in `style`, on the left when
    /// `alignRight`.
    public mutating func write(_ text: String, x: Int, y: Int, exactly width: Int, alignRight: Bool = false, ellipsis: String, style: CellStyle) {
        guard width > 0 else { return }
        // No character takes more columns than its UTF-8 bytes, so text that short fits as it is.
        if !alignRight, text.utf8.count <= width {
            let used = write(text, x: x, y: y, width: width, style: style)
            fill(x: x + used, y: y, width: width - used, style: style)
            return
        }
        var shown = text
        var shownWidth = TerminalText.width(text)
        if shownWidth > width {
            shown = TerminalText.truncate(text, to: width, ellipsis: ellipsis)
            shownWidth = TerminalText.width(shown)
        }
        let padding = max(0, width - shownWidth)
        if alignRight {
            fill(x: x, y: y, width: padding, style: style)
            write(shown, x: x + padding, y: y, width: width - padding, style: style)
        } else {
            write(shown, x: x, y: y, width: width, style: style)
            fill(x: x + width - padding, y: y, width: padding, style: style)
        }
    }

    /// Fills columns `x..<x+width` of row `y` with spaces in `style`.
    public mutating func fill(x: Int, y: Int, width: Int, style: CellStyle) {
        let lower = max(0, x), upper = min(size.columns, x + width)
        guard y >= 0, y < size.rows, lower < upper else { return }
        editRow(y) { row in
            for column in lower..<upper { row.put(Cell(" ", style: style), at: column) }
        }
    }

    /// Applies `change` to the style of every cell of row `y`.
    public mutating func restyle(row y: Int, _ change: (inout CellStyle) -> Void) {
        guard y >= 0, y < size.rows else { return }
        editRow(y) { row in
            for column in 0..<row.columns { change(&row[column].style) }
        }
    }

    /// Runs `body` on row `y` (< `size.rows`) in place: one check that the cells are not shared for the whole
    /// edit, not one per cell.
    private mutating func editRow<Result>(_ y: Int, _ body: (inout RowEditor) -> Result) -> Result {
        let start = y * size.columns, columns = size.columns
        var taken: [Int: String] = [:]
        swap(&taken, &marks)
        var editor = RowEditor(cells: cells.mutableSpan, marks: taken, start: start, columns: columns)
        let result = body(&editor)
        let edited = editor.marks
        marks = edited
        return result
    }

    /// The buffer's cells and marks while one of its rows is edited.
    private struct RowEditor: ~Copyable, ~Escapable {
        var cells: MutableSpan<Cell>
        var marks: [Int: String]
        /// The index of the row's first cell in the buffer.
        let start: Int
        let columns: Int

        @_lifetime(copy cells)
        init(cells: consuming MutableSpan<Cell>, marks: [Int: String], start: Int, columns: Int) {
            self.cells = cells
            self.marks = marks
            self.start = start
            self.columns = columns
        }

        /// The cell at column `x` (< `columns`) of the row; the span checks that it is within the buffer.
        subscript(x: Int) -> Cell {
            get {
                assert(x >= 0 && x < columns, "column \(x) is outside the row")
                return cells[start + x]
            }
            set {
                assert(x >= 0 && x < columns, "column \(x) is outside the row")
                cells[start + x] = newValue
            }
        }

        /// Replaces one cell, and the marks that joined the character it held. A wide character is never left
        /// in half: the other half of one partly overwritten becomes a space, as on a terminal.
        mutating func put(_ cell: Cell, at x: Int) {
            let old = self[x]
            if old.isContinuation, !cell.isContinuation, x > 0 {
                replace(x - 1, with: Cell(" ", style: self[x - 1].style))
            }
            if !old.isContinuation, x + 1 < columns, self[x + 1].isContinuation {
                self[x + 1] = Cell(" ", style: self[x + 1].style)
            }
            replace(x, with: cell)
        }

        /// Adds a combining mark to the character at `x`.
        mutating func join(_ mark: Unicode.Scalar, to x: Int) {
            self[x].flagMarks()
            marks[start + x, default: ""].unicodeScalars.append(mark)
        }

        private mutating func replace(_ x: Int, with cell: Cell) {
            if self[x].hasMarks { marks[start + x] = nil }
            self[x] = cell
        }
    }

    /// The screen as text, one line per row, trailing spaces removed: for snapshots and tests.
    public var text: String {
        (0..<size.rows).map(line).joined(separator: "\n")
    }

    /// The text of row `y`, trailing spaces removed.
    public func line(_ y: Int) -> String {
        var line = String.UnicodeScalarView()
        for (x, cell) in row(y).enumerated() where !cell.isContinuation {
            line.append(Unicode.Scalar(cell.scalar) ?? " ")
            if let joined = marks(x: x, y: y) { line.append(contentsOf: joined.unicodeScalars) }
        }
        var text = String(line)
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
