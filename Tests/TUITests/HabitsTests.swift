import EarthEngineOperations
import Foundation
import OperationsPresentation
import Testing
@testable import OperationsTUI

/// The conventions of k9s, htop and lazygit users, headless: Esc clears the filter, rows the user cancelled stay
/// until their end has been read, the session's event log, and copying names and destinations.
@Suite("The TUI's habits")
struct HabitsTests {
    /// Esc clears the filter (text, states, failure group) and keeps the marks; a second Esc clears "active
    /// only"; a third does nothing, and Esc never quits.
    @Test func escClearsTheFilterThenActiveOnlyAndNeverQuits() {
        var state = Fixtures.state(columns: 120, rows: 30)
        Fixtures.press(&state, .character(" "))
        Fixtures.press(&state, .character("a"), .character("/"))
        Fixtures.type(&state, "crop")
        Fixtures.press(&state, .enter, .character("2"))
        #expect(state.visible.count == 1 && state.activeOnly && state.stateFilter == [.running])
        Fixtures.press(&state, .escape)
        #expect(state.filterText.isEmpty && state.stateFilter.isEmpty && state.activeOnly)
        #expect(state.visible.count == 4, "the active rows")
        Fixtures.press(&state, .escape)
        #expect(!state.activeOnly && state.visible.count == 8)
        #expect(Fixtures.press(&state, .escape).isEmpty)
        #expect(!state.quitRequested && state.marks.count == 1, "Esc never quits and never drops marks")
        // `/` opens the prompt on the filter in force, to edit it.
        Fixtures.press(&state, .character("/"))
        Fixtures.type(&state, "RUN")
        Fixtures.press(&state, .enter, .character("/"), .backspace, .backspace)
        #expect(state.filterText == "R" && state.mode == .filtering)
    }

    /// With "active only" on, a row the user cancelled stays, dimmed, while its CANCELLING → CANCELLED is
    /// highlighted, and goes once the highlight ends; a row that ended without the user's cancel goes at once.
    @Test func aCancelledRowStaysUntilItsEndHasBeenRead() throws {
        var state = Fixtures.state(columns: 120, rows: 30)
        Fixtures.press(&state, .character("a"))
        let chosen = try #require(state.cursorOperation)
        Fixtures.press(&state, .character("x"), .character("y"))
        _ = Reducer.reduce(&state, .cancelAnswered(name: chosen.name, outcome: .requested))
        var ended = chosen
        ended.metadata?.state = .cancelled
        ended.done = true
        let other = try #require(state.visible.map { state.operation(named: $0)! }.first { $0.name != chosen.name && $0.state == .running })
        var otherEnded = other
        otherEnded.metadata?.state = .succeeded
        otherEnded.done = true
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [ended, otherEnded], transitions: [
            StateTransition(name: chosen.name, from: .running, to: .cancelled, seenAt: state.now, operation: ended),
            StateTransition(name: other.name, from: .running, to: .succeeded, seenAt: state.now, operation: otherEnded),
        ], at: state.now)))
        #expect(state.visible.contains(chosen.name) && state.tombstones == [chosen.name])
        #expect(!state.visible.contains(other.name))
        let row = AppView.render(state).text.split(separator: "\n").first { $0.contains(chosen.shortID.prefix(9)) }
        #expect(row?.contains("RUNNING → CANCELLED") == true, "\(String(describing: row))")
        _ = Reducer.reduce(&state, .tick(state.now.addingTimeInterval(6)))
        #expect(!state.visible.contains(chosen.name) && state.tombstones.isEmpty)
    }

    /// `L` shows the session's events, newest at the bottom; `/` keeps those holding a text; Esc clears the
    /// search, then closes.
    @Test func theLogViewScrollsAndSearches() {
        var state = Fixtures.state(columns: 100, rows: 12)
        for index in 0..<30 { Fixtures.press(&state, .character("r")); _ = index }
        Fixtures.press(&state, .character("p"))
        Fixtures.press(&state, .character("L"))
        #expect(state.mode == .log(AppState.LogView()))
        var screen = AppView.render(state).text
        #expect(screen.contains("Events this session: 31") && screen.contains("live updates paused"), "\(screen)")
        Fixtures.press(&state, .pageUp)
        #expect(!AppView.render(state).text.contains("live updates paused"))
        Fixtures.press(&state, .character("/"))
        Fixtures.type(&state, "PAUSED")
        Fixtures.press(&state, .enter)
        screen = AppView.render(state).text
        #expect(screen.contains("Events holding \"PAUSED\": 1 of 31") && screen.contains("live updates paused"), "\(screen)")
        Fixtures.press(&state, .escape)
        #expect(state.mode == .log(AppState.LogView()))
        Fixtures.press(&state, .escape)
        #expect(state.mode == .table)
    }

    /// `c` copies the marked rows' full names (the current row's when none is marked), one a line; `C` their
    /// destination URIs, fetching those the table keeps as summaries; the event line says what was copied.
    @Test func namesAndDestinationsAreCopied() throws {
        var state = Fixtures.state(columns: 100, rows: 20)
        var effects = Fixtures.press(&state, .character("c"))
        let first = try #require(state.cursor)
        #expect(Fixtures.actions(effects) == [.copy(first + "\n")])
        #expect(Fixtures.logLines(effects) == ["copied 1 name to the clipboard"])
        Fixtures.press(&state, .character(" "), .character(" "))
        effects = Fixtures.press(&state, .character("c"))
        #expect(Fixtures.actions(effects) == [.copy(state.visible.prefix(2).joined(separator: "\n") + "\n")])

        var whole = Fixtures.operation("WHOLEAAAAAAAAAAAAAAAAAAA", .running, minutesAgo: 1)
        whole.metadata?.destinationUris = ["gs://bucket/a.tif", "gs://bucket/b\u{1B}[31m.tif"]
        let finished = Fixtures.operation("SUMMARYBBBBBBBBBBBBBBBBB", .succeeded, minutesAgo: 2)
        var finishedWhole = finished
        finishedWhole.metadata?.destinationUris = ["https://drive.google.com/x"]
        var copying = Fixtures.state(columns: 100, rows: 20, operations: [whole, finishedWhole.summarized()])
        #expect(copying.operation(named: finished.name)?.isSummary == true)
        let asked = Fixtures.press(&copying, .character("*"), .character("C"))
        #expect(Fixtures.actions(asked) == [.fetchDestinations([try #require(OperationName(validating: finished.name))], knownBytes: 18 + 23)],
                "what the table's two URIs take of the clipboard")
        let copied = Reducer.reduce(&copying, .destinationsFetched([finished.name: ["https://drive.google.com/x"]]))
        #expect(Fixtures.actions(copied) == [.copy("gs://bucket/a.tif\ngs://bucket/b^[[31m.tif\nhttps://drive.google.com/x\n")])
        #expect(Fixtures.logLines(copied) == ["copied 3 destination URIs to the clipboard"])
        // A row not fetched because the clipboard was full is not a failure; one whose fetch failed is.
        Fixtures.press(&copying, .character("C"))
        let full = Reducer.reduce(&copying, .destinationsFetched([:]))
        #expect(Fixtures.logLines(full) == ["the clipboard was full before the destinations of 1 operation was fetched", "copied 2 destination URIs to the clipboard"])
        Fixtures.press(&copying, .character("C"))
        let failed = Reducer.reduce(&copying, .destinationsFetched([finished.name: nil]))
        #expect(Fixtures.logLines(failed) == ["the destinations of 1 operation could not be fetched", "copied 2 destination URIs to the clipboard"])
    }

    /// The clipboard sequence is OSC 52 with the text in base64, and never longer than terminals take.
    @Test func theClipboardSequenceIsOSC52WithinItsLimit() {
        #expect(ClipboardSequence.osc52("projects/p/operations/A\n") == "\u{1B}]52;c;cHJvamVjdHMvcC9vcGVyYXRpb25zL0EK\u{07}")
        let lines = Array(repeating: String(repeating: "x", count: 999), count: 100)
        let (text, count) = ClipboardSequence.fit(lines)
        #expect(count == 65 && text.utf8.count == 65_000)
    }
}

/// `C`'s fetch of the destinations that the table keeps as summaries.
@Suite("Fetching destinations for the clipboard")
struct DestinationFetchTests {
    /// A counter the fetches share.
    actor Calls {
        var names: [String] = []
        func add(_ name: String) { names.append(name) }
    }

    /// Over a long history, `*` then `C` asks for what the clipboard can take, in order, not for every row.
    @Test func fetchesStopOnceTheClipboardIsFull() async throws {
        let names = (0..<2_000).map { OperationName(validating: "projects/p/operations/OP\(String(format: "%022d", $0))")! }
        let calls = Calls()
        let uri = "gs://bucket/" + String(repeating: "x", count: 500)
        let fetched = await DestinationFetch.run(names, requestsPerSecond: 10_000) { name in
            await calls.add(name.description)
            return name.description.hasSuffix("7") ? nil : [uri]
        }
        let asked = await calls.names
        let enough = ClipboardSequence.limit / (uri.utf8.count + 1)
        #expect(asked.count >= enough && asked.count < enough + 2 * DestinationFetch.concurrency + enough / 9, "\(asked.count) fetches for \(enough) URIs")
        #expect(Set(asked) == Set(names.prefix(asked.count).map(\.description)), "in the order given")
        #expect(fetched.count == asked.count && fetched.values.filter { $0 == nil }.count == asked.filter { $0.hasSuffix("7") }.count,
                "a failed fetch is told apart")
        // What the table's own URIs take of the clipboard counts too.
        let calls2 = Calls()
        _ = await DestinationFetch.run(names, knownBytes: ClipboardSequence.limit - 1, requestsPerSecond: 10_000) { name in
            await calls2.add(name.description)
            return [uri]
        }
        #expect(await calls2.names.count == DestinationFetch.concurrency, "one batch fills what is left")
        // A few rows are all fetched.
        let few = await DestinationFetch.run(Array(names.prefix(3)), requestsPerSecond: 10_000) { _ in ["gs://b/o"] }
        #expect(few.count == 3)
    }
}
