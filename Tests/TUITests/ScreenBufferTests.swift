import Testing
@testable import OperationsTUI

/// The cell grid the view draws into: wide characters, combining marks, clipping, and the row comparison
/// the terminal adapter's diff relies on.
@Suite("The screen buffer")
struct ScreenBufferTests {
    /// The frame's cost rests on cells being plain bytes: no reference counting when rows are built,
    /// copied and compared.
    @Test func aCellIsATrivialEightByteValue() {
        #expect(_isPOD(Cell.self))
        #expect(MemoryLayout<Cell>.stride == 8)
    }

    @Test func wideCharactersTakeTwoCellsAndCombiningMarksJoinTheirCharacter() {
        var screen = ScreenBuffer(size: TerminalSize(columns: 10, rows: 2))
        let used = screen.write("森e\u{0301}x", x: 1, y: 0)
        #expect(used == 4)
        #expect(screen.line(0) == " 森e\u{0301}x")
        #expect(screen.row(0)[2].isContinuation)
        #expect(screen.marks(x: 3, y: 0) == "\u{0301}")
        #expect(screen.marks(x: 4, y: 0) == nil)
        // A mark after a wide character joins the character, not its continuation cell.
        screen.write("漢\u{20DD}", x: 0, y: 1)
        #expect(screen.marks(x: 0, y: 1) == "\u{20DD}")
        #expect(screen.line(1) == "漢\u{20DD}")
    }

    /// Control characters that reach the grid unsanitised are dropped, not joined to a character as marks and
    /// handed to ncurses.
    @Test func controlCharactersNeverReachTheGrid() {
        var screen = ScreenBuffer(size: TerminalSize(columns: 20, rows: 1))
        screen.write("é\u{1B}]0;x\u{07}\u{9B}1m\u{7F}", x: 0, y: 0)
        #expect(screen.line(0) == "é]0;x1m")
        for x in 0..<20 {
            #expect(screen.marks(x: x, y: 0) == nil)
            let value = screen.row(0)[x].scalar
            #expect(value >= 0x20 && !(0x7F...0x9F).contains(value))
        }
    }

    @Test func writingOverACharacterDropsItsMarks() {
        var screen = ScreenBuffer(size: TerminalSize(columns: 6, rows: 1))
        screen.write("e\u{0301}", x: 0, y: 0)
        screen.write("a", x: 0, y: 0)
        #expect(screen.marks(x: 0, y: 0) == nil)
        #expect(screen.line(0) == "a")
        screen.write("o\u{0308}", x: 2, y: 0)
        screen.fill(x: 0, y: 0, width: 6, style: .plain)
        #expect(screen.line(0) == "")
    }

    @Test func aWideCharacterThatDoesNotFitBecomesASpace() {
        var screen = ScreenBuffer(size: TerminalSize(columns: 4, rows: 1))
        let used = screen.write("ab森", x: 1, y: 0, style: CellStyle(.warning))
        #expect(used == 3)
        #expect(screen.line(0) == " ab")
        #expect(screen.row(0)[3] == Cell(" ", style: CellStyle(.warning)))
    }

    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var screen = ScreenBuffer(size: TerminalSize(columns: 8, rows: 2))
        screen.write("森林", x: 0, y: 0)
        screen.write("|", x: 1, y: 0)
        #expect(screen.line(0) == " |林")
        screen.write("森林", x: 0, y: 1)
        screen.write("ab", x: 2, y: 1)
        #expect(screen.line(1) == "森ab")
        #expect(!Array(screen.row(1))[4].isContinuation)
    }

    /// What the terminal adapter sends: only what changed, never half a wide character.
    @Test func changedSpansCoverEveryChangeAndNoMore() {
        let size = TerminalSize(columns: 20, rows: 4)
        var before = ScreenBuffer(size: size)
        before.write("same row", x: 0, y: 0)
        before.write("abcdefghijklmnop", x: 0, y: 1)
        before.write("e 森林 x", x: 0, y: 2)
        before.write("plain", x: 0, y: 3)
        var after = before
        after.write("B", x: 1, y: 1)
        after.write("CD", x: 3, y: 1)
        after.write("O", x: 14, y: 1)
        after.write("e\u{0301}", x: 0, y: 2)
        after.write("木", x: 4, y: 2)
        after.restyle(row: 3) { $0.bold = true }
        #expect(after.changedSpans(inRow: 0, since: before).isEmpty)
        // Changes one unchanged cell apart are one span; ten apart are two.
        #expect(after.changedSpans(inRow: 1, since: before) == [1..<5, 14..<15])
        #expect(after.changedSpans(inRow: 1, since: before, joiningGap: 1) == [1..<2, 3..<5, 14..<15])
        // A new combining mark changes its cell; a changed wide character is sent whole.
        #expect(after.changedSpans(inRow: 2, since: before) == [0..<6])
        #expect(after.changedSpans(inRow: 2, since: before, joiningGap: 3) == [0..<1, 4..<6])
        #expect(after.changedSpans(inRow: 3, since: before) == [0..<20])
        #expect(after.changedSpans(inRow: 0, since: nil) == [0..<20])
        #expect(after.changedSpans(inRow: 0, since: ScreenBuffer(size: TerminalSize(columns: 19, rows: 4))) == [0..<20])
    }
}
