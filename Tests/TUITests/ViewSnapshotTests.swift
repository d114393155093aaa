import EarthEngineOperations
import Foundation
import OperationsPresentation
import TestSupport
import Testing
@testable import OperationsTUI

/// Whole screens rendered headless and compared with readable text snapshots in `Snapshots/`.
/// Run with `EEOPS_RECORD_SNAPSHOTS=1` to write them anew after an intended change, and review the diff.
@Suite("The TUI view, headless")
struct ViewSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func assertSnapshot(_ screen: ScreenBuffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Self.directory.appendingPathComponent(name + ".txt")
        let text = screen.text + "\n"
        if ProcessInfo.processInfo.environment["EEOPS_RECORD_SNAPSHOTS"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "screen differs from \(name).txt", sourceLocation: sourceLocation)
    }

    /// A lively state: a mark, a cancel in each outcome, a recent change, the cursor on row 2.
    func livelyState(columns: Int, rows: Int) -> AppState {
        var state = Fixtures.state(columns: columns, rows: rows)
        Fixtures.press(&state, .down, .character(" "), .up)
        let run7 = Fixtures.name("RUN7GGGGGGGGGGGGGGGGGGGG")
        _ = Reducer.reduce(&state, .cancelAnswered(name: run7, outcome: .unsupported))
        var cancelling = state.operation(named: Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA"))!
        _ = Reducer.reduce(&state, .cancelAnswered(name: cancelling.name, outcome: .requested))
        cancelling.metadata?.state = .cancelling
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [cancelling], transitions: [
            StateTransition(name: cancelling.name, from: .running, to: .cancelling, seenAt: Fixtures.now, operation: cancelling),
        ], at: Fixtures.now)))
        return state
    }

    @Test func mainScreenAt80x24() throws {
        try assertSnapshot(AppView.render(livelyState(columns: 80, rows: 24)), named: "main-80x24")
    }

    @Test func mainScreenAt200x60() throws {
        try assertSnapshot(AppView.render(livelyState(columns: 200, rows: 60)), named: "main-200x60")
    }

    @Test func cancelDialog() throws {
        var state = livelyState(columns: 80, rows: 24)
        Fixtures.press(&state, .character("*"), .character("x"))
        try assertSnapshot(AppView.render(state), named: "dialog-80x24")
    }

    @Test func detailView() throws {
        var state = livelyState(columns: 100, rows: 30)
        Fixtures.press(&state, .enter)
        let screen = AppView.render(state)
        try assertSnapshot(screen, named: "detail-100x30")
        #expect(screen.text.contains("State history seen this session"))
    }

    @Test func helpOverlayListsEveryBinding() throws {
        var state = Fixtures.state(columns: 160, rows: 40)
        Fixtures.press(&state, .character("?"))
        let text = AppView.render(state).text
        for binding in KeyMap.standard.bindings(.table, readOnly: false) { #expect(text.contains(binding.summary), "help lacks \(binding.label)") }
        try assertSnapshot(AppView.render(state), named: "help-160x40")
    }

    @Test func asciiModeDrawsOnlyASCII() throws {
        var state = livelyState(columns: 100, rows: 20)
        state.settings.ascii = true
        let text = AppView.render(state).text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(text.contains("RUNNING -> CANCELLING"))
    }

    /// `--ascii` reached only the table: the header's "loading…", the hints of the filter prompt, the detail view
    /// and the dialog, the key labels of the help ("↑/k" came out as "?/k") and a cancel's "sending…" did not go
    /// through it. Every mode is drawn in ASCII now, with the interface's symbols spelled out.
    @Test func asciiModeSpellsEveryGlyphInEveryMode() throws {
        var loading = Fixtures.state(columns: 100, rows: 30)
        loading.settings.ascii = true
        loading.freshness.loading = true
        var screens = [("loading", AppView.render(loading).text)]
        var state = Fixtures.state(columns: 100, rows: 40)
        state.settings.ascii = true
        Fixtures.press(&state, .character("/"))
        screens.append(("filter", AppView.render(state).text))
        Fixtures.press(&state, .escape, .character("?"))
        screens.append(("help", AppView.render(state).text))
        Fixtures.press(&state, .escape, .enter)
        screens.append(("detail", AppView.render(state).text))
        Fixtures.press(&state, .escape, .character("x"))
        screens.append(("dialog", AppView.render(state).text))
        Fixtures.press(&state, .character("y"))
        screens.append(("sending", AppView.render(state).text))
        for (mode, text) in screens {
            #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "\(mode): \(text)")
            #expect(!text.contains("?/"), "\(mode): a symbol replaced, not spelled: \(text)")
        }
        let byMode = Dictionary(uniqueKeysWithValues: screens)
        #expect(byMode["loading"]?.contains("loading...") == true)
        #expect(byMode["filter"]?.contains("Enter keep | Esc clear") == true)
        #expect(byMode["help"]?.contains("^/k") == true)
        #expect(byMode["detail"]?.contains("v/j scroll") == true)
        #expect(byMode["dialog"]?.contains("y yes | n/Esc no") == true)
        #expect(byMode["sending"]?.contains("sending...") == true)
    }

    @Test func tinyTerminalSaysSo() {
        let state = Fixtures.state(columns: 30, rows: 8)
        let text = AppView.render(state).text
        #expect(text.contains("Terminal too small"))
        #expect(!text.contains("RUN1"))
    }

    @Test func wideTextNeverBreaksAlignment() {
        for columns in [80, 120, 200] {
            let screen = AppView.render(Fixtures.state(columns: columns, rows: 20))
            let lines = screen.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let header = lines[2]
            let stateColumn = ScreenText.column(of: "STATE", in: header) ?? -1
            // PROG, right-aligned in 4 columns; or PROGRESS, a bar and the percentage at the end of 10.
            let progressEnd = (ScreenText.column(of: "PROG", in: header) ?? -1) + (header.contains("PROGRESS") ? 10 : 4)
            for line in lines[3..<11] {
                #expect(TerminalText.width(line) <= columns)
                let state = ScreenText.text(atColumn: stateColumn, of: line)
                #expect(OperationState.known.contains { state.hasPrefix($0.apiValue) }, "state misplaced at \(columns): \(line)")
                // The percentage (or "-") ends exactly at the column's end.
                let progress = ScreenText.text(atColumn: progressEnd - 4, of: line).prefix(4)
                #expect(progress.hasSuffix("%") || progress.hasSuffix("-"), "progress misplaced at \(columns): \(line)")
            }
        }
    }

    @Test func serverTextNeverReachesTheScreenRaw() {
        let hostile = Fixtures.operation("EVIL", .running, description: "\u{1B}]2;owned\u{07}\u{1B}[2J\u{9B}31m\u{90}dcs\u{1B}\\ \u{202E}abc")
        let state = Fixtures.state(columns: 120, rows: 12, operations: [hostile])
        let screen = AppView.render(state)
        for y in 0..<screen.size.rows {
            for (x, cell) in screen.row(y).enumerated() {
                let scalars = [cell.scalar] + (screen.marks(x: x, y: y)?.unicodeScalars.map(\.value) ?? [])
                for value in scalars where !cell.isContinuation {
                    #expect(value >= 0x20 && value != 0x7F && !(0x80..<0xA0).contains(value) && !(0x202A...0x202E).contains(value))
                }
            }
        }
    }

    /// A description of 1 MiB without a space: the detail view shows its first 64 KiB, wrapped in one linear pass,
    /// and says how much more there is.
    @Test func aHugeDescriptionIsCappedInTheDetailView() {
        let huge = Fixtures.operation("HUGE", .running, description: String(repeating: "森", count: 400_000))
        let state = Fixtures.state(columns: 100, rows: 30, operations: [huge])
        let lines = OverlayView.detailLines(state, operation: huge, width: 98, policy: TextPolicy(ascii: false))
        #expect(lines.count < 1_000, "\(lines.count) lines")
        #expect(lines.contains { $0.0.contains("\(400_000 * 3 - 65_535) more bytes") }, "\(lines.suffix(20).map(\.0))")
        #expect(lines.allSatisfy { TerminalText.width($0.0) <= 98 })
    }

    /// Wrapping keeps words whole where it can and cuts a word wider than the line into pieces.
    @Test func wrappingBreaksAtSpacesAndCutsLongWords() {
        #expect(AppView.wrap("aa bb cc", width: 5) == ["aa bb", "cc"])
        #expect(AppView.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(AppView.wrap("x 森林森林", width: 4) == ["x", "森林", "森林"])
        #expect(AppView.wrap("", width: 4) == [""])
    }
}
