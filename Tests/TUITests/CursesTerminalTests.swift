import Foundation
import Testing
@testable import OperationsTUI

/// The terminal adapter against real ncurses, on a terminal whose output is /dev/null: what it holds after a
/// frame is drawn, read back cell by cell.
@Suite("The terminal adapter", .serialized)
struct CursesTerminalTests {
    /// A terminal of 80×24 (terminfo's size for xterm, as /dev/null has none), in a UTF-8 locale as the TUI runs,
    /// and an empty frame of its size.
    func withTerminal(_ body: (CursesTerminal, inout ScreenBuffer) throws -> Void) throws {
        setlocale(LC_ALL, "C.UTF-8")
        setenv("TERM", "xterm-256color", 1)
        let output = open("/dev/null", O_WRONLY), input = open("/dev/null", O_RDONLY)
        let terminal = CursesTerminal(options: .init(theme: .default, mouse: false))
        let size = try terminal.start(output: output, input: input)
        defer { terminal.stop() }
        #expect(size == TerminalSize(columns: 80, rows: 24))
        var frame = ScreenBuffer(size: size)
        try body(terminal, &frame)
    }

    func row(_ y: Int, of terminal: CursesTerminal, columns: Int) -> [Unicode.Scalar?] {
        (0..<columns).map { terminal.characterOnScreen(x: $0, y: y) }
    }

    @Test func aFrameAndItsChangesReachTheScreen() throws {
        try withTerminal { terminal, frame in
            frame.write("森林 abc", x: 0, y: 0)
            frame.write("e\u{0301}x", x: 0, y: 1)
            terminal.draw(frame)
            #expect(row(0, of: terminal, columns: 8) == ["森", "森", "林", "林", " ", "a", "b", "c"])
            #expect(terminal.characterOnScreen(x: 0, y: 1) == "e" && terminal.characterOnScreen(x: 1, y: 1) == "x")
            frame.write("Z", x: 6, y: 0)
            frame.write("木", x: 2, y: 0)
            terminal.draw(frame)
            #expect(row(0, of: terminal, columns: 8) == ["森", "森", "木", "木", " ", "a", "Z", "c"])
        }
    }

    /// ncurses places a character by the C library's measure of it: one that measures otherwise than the grid,
    /// or cannot be measured (an unassigned code point, -1), is drawn as question marks filling the grid's
    /// columns, and what follows it stays in its column.
    @Test func charactersTheCLibraryCannotMeasureKeepTheRowInPlace() throws {
        try withTerminal { terminal, frame in
            frame.write("\u{0378}a\u{E0080}b", x: 0, y: 0)
            frame.write("x\u{0378}\u{2E9A}y", x: 10, y: 5)
            terminal.draw(frame)
            #expect(row(0, of: terminal, columns: 5) == ["?", "a", "?", "b", " "])
            // U+2E9A is unassigned in a block the grid takes as wide: two columns.
            #expect(row(5, of: terminal, columns: 16).suffix(6) == ["x", "?", "?", "?", "y", " "])
        }
    }
}
