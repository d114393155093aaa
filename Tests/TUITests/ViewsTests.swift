import EarthEngineOperations
import Foundation
import Testing
@testable import OperationsTUI

/// Named views and the column chooser, headless: `V` cycles the views, each setting the filter, the states,
/// "active only", the sort and the columns; `o` chooses and orders the columns of the view shown.
@Suite("Named views and columns")
struct ViewsTests {
    static let views = [
        NamedView(name: "costly", activeOnly: true, sortKey: .eecu, columns: [.eecu, .id, .description]),
        NamedView(name: "failed", states: [.failed, .cancelled], sortKey: .type),
        NamedView(name: "crop", filterText: "crop"),
    ]

    /// The headings of the table as drawn, left to right.
    static func headings(_ state: AppState) -> [String] {
        AppView.render(state).text.split(separator: "\n", omittingEmptySubsequences: false)[state.layout.body.lowerBound]
            .split(separator: " ").map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "↑↓^v")) }
    }

    @Test func viewsStartWhereTheSettingsSayAndCycleInOrder() throws {
        var state = Fixtures.state(columns: 120, rows: 30) { $0.views = NamedView.cycle(Self.views); $0.startView = "costly" }
        #expect(state.views.map(\.name) == ["all", "costly", "failed", "crop"])
        #expect(state.currentView.name == "costly" && state.activeOnly && state.sortKey == .eecu && !state.sortAscending)
        // Active rows only, the costliest first.
        #expect(state.visible.map { String($0.suffix(24)) } == ["RUN2BBBBBBBBBBBBBBBBBBBB", "RUN1AAAAAAAAAAAAAAAAAAAA", "RUN7GGGGGGGGGGGGGGGGGGGG", "PEND3CCCCCCCCCCCCCCCCCCC"])
        #expect(Self.headings(state) == ["EECU", "ID", "DESCRIPTION"])
        #expect(AppView.render(state).text.split(separator: "\n")[0].contains("view costly"))

        Fixtures.press(&state, .character(" ")) // a mark survives a change of view
        let effects = Fixtures.press(&state, .character("V"))
        #expect(state.currentView.name == "failed" && !state.activeOnly && state.stateFilter == [.failed, .cancelled])
        #expect(state.sortKey == .type && state.sortAscending, "a text sort starts A to Z")
        #expect(state.visible.map { String($0.suffix(24)) } == ["FAIL5EEEEEEEEEEEEEEEEEEE", "CXL6FFFFFFFFFFFFFFFFFFFF"], "EXPORT_TILES before INGEST_IMAGE")
        #expect(state.marks.count == 1)
        #expect(effects.contains { if case .diagnostic(let entry) = $0 { entry.text == "view failed (3 of 4)" } else { false } })
        #expect(Self.headings(state).first == "ID", "no columns chosen: the built-in ones")

        Fixtures.press(&state, .character("V"))
        #expect(state.currentView.name == "crop" && state.filterText == "crop" && state.stateFilter.isEmpty && state.visible.count == 1)
        Fixtures.press(&state, .character("V"))
        #expect(state.currentView.name == "all" && state.filterText.isEmpty && state.visible.count == 8 && state.sortKey == .age)
    }

    @Test func withOneViewTheKeySaysHowToNameOthers() {
        var state = Fixtures.state(columns: 120, rows: 30)
        let effects = Fixtures.press(&state, .character("V"))
        #expect(state.currentView.name == "all" && state.views.count == 1)
        #expect(effects.contains { if case .diagnostic(let entry) = $0 { entry.text.contains("views: in the config file") } else { false } })
        #expect(!AppView.render(state).text.split(separator: "\n")[0].contains("view "), "no view name in the header when there is one view")
    }

    /// The chooser opens on the columns the width shows, hides, shows and reorders them, and the table behind
    /// follows; the columns stay with the view when another is shown and this one comes back.
    @Test func theColumnChooserHidesShowsAndOrdersTheViewsColumns() throws {
        var state = Fixtures.state(columns: 120, rows: 30) { $0.views = NamedView.cycle(Self.views) }
        let builtIn = Self.headings(state)
        #expect(builtIn == ["ID", "TYPE", "STATE", "CANCEL", "PROGRESS", "EECU", "CREATED", "DESCRIPTION"])
        Fixtures.press(&state, .character("o"))
        guard case .columns(let chooser) = state.mode else { Issue.record("no chooser: \(state.mode)"); return }
        #expect(chooser.entries.prefix(8).map(\.column) == [.id, .type, .state, .cancel, .progress, .eecu, .created, .description])
        #expect(chooser.entries.prefix(8).allSatisfy(\.shown) && chooser.entries.dropFirst(8).allSatisfy { !$0.shown })
        #expect(AppView.render(state).text.contains("[x] type"))
        // Hide TYPE, move EECU first, show ATTEMPT after it.
        Fixtures.press(&state, .character("j"), .character(" "))
        Fixtures.press(&state, .character("j"), .character("j"), .character("j"), .character("j"))
        Fixtures.press(&state, .character("K"), .character("K"), .character("K"), .character("K"), .character("K"), .character("K"))
        Fixtures.press(&state, .end) // not a key of the chooser: nothing moves
        Fixtures.press(&state, .character("G"))
        guard case .columns(var moved) = state.mode else { Issue.record("chooser closed"); return }
        #expect(moved.selected == 0 && moved.entries[0].column == .eecu)
        let attempt = try #require(moved.entries.firstIndex { $0.column == .attempt })
        for _ in 0..<(attempt - 1) { Fixtures.press(&state, .character("j")) }
        Fixtures.press(&state, .character("j"), .character(" "))
        for _ in 0..<(attempt - 1) { Fixtures.press(&state, .character("K")) }
        guard case .columns(let final) = state.mode else { Issue.record("chooser closed"); return }
        moved = final
        #expect(moved.columns == [.eecu, .attempt, .id, .state, .cancel, .progress, .created, .description])
        Fixtures.press(&state, .enter)
        #expect(state.mode == .table)
        #expect(Self.headings(state) == ["EECU", "ATT", "ID", "STATE", "CANCEL", "PROGRESS", "CREATED", "DESCRIPTION"])
        // Another view keeps its own columns; coming back, these are still chosen.
        Fixtures.press(&state, .character("V"))
        #expect(Self.headings(state) == ["EECU", "ID", "DESCRIPTION"])
        for _ in 0..<3 { Fixtures.press(&state, .character("V")) }
        #expect(state.currentView.name == "all" && Self.headings(state).prefix(2) == ["EECU", "ATT"])
    }

    /// Chosen columns that do not fit the width are left out from the end, whole; the description takes what
    /// is left wherever it stands.
    @Test func chosenColumnsThatDoNotFitAreLeftOutWhole() {
        let wide = TableView.layout(width: 120, chosen: [.description, .id, .state])
        #expect(wide.columns.map(\.column) == [.mark, .description, .id, .state])
        #expect(wide.columns.reduce(0) { $0 + $1.width + 1 } - 1 == 120, "the description fills the width")
        let narrow = TableView.layout(width: 40, chosen: [.id, .state, .cancel, .eecu])
        #expect(narrow.columns.map(\.column) == [.mark, .id, .state])
        #expect(narrow.columns.reduce(0) { $0 + $1.width + 1 } <= 41)
        // A chosen description keeps its 8 cells: the columns after it that would push past the edge are left out.
        let described = TableView.layout(width: 50, chosen: [.description, .id, .state, .eecu])
        #expect(described.columns.map(\.column) == [.mark, .description, .id, .state], "\(described.columns.map(\.column))")
        #expect(described.columns.reduce(0) { $0 + $1.width + 1 } - 1 <= 50)
        // With several projects, the built-in choice leaves the description its room.
        let projects = TableView.layout(width: 120, projects: ["a-project-of-17ch", "other"])
        #expect(projects.columns.first { $0.column == .description }.map(\.width) ?? 0 >= 15, "\(projects.columns.map { ($0.column, $0.width) })")
        #expect(projects.columns.reduce(0) { $0 + $1.width + 1 } - 1 == 120)
    }
}
