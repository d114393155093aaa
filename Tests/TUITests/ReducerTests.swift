import EarthEngineOperations
import Foundation
import Testing
@testable import OperationsTUI

@Suite("The TUI reducer, headless")
struct ReducerTests {
    @Test func cursorAndMarksFollowOperationsThroughRefreshesAndSorting() {
        var state = Fixtures.state()
        Fixtures.press(&state, .down, .character(" "), .character(" "))
        #expect(state.marks == [Fixtures.name("RUN2BBBBBBBBBBBBBBBBBBBB"), Fixtures.name("PEND3CCCCCCCCCCCCCCCCCCC")])
        #expect(state.cursor == Fixtures.name("DONE4DDDDDDDDDDDDDDDDDDD"))
        // A refresh that brings a new operation on top shifts every row down by one.
        let newcomer = Fixtures.operation("NEW0ZZZZZZZZZZZZZZZZZZZZ", .pending, minutesAgo: 0)
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [newcomer], transitions: [
            StateTransition(name: newcomer.name, from: nil, to: .pending, seenAt: Fixtures.now, operation: newcomer),
        ], at: Fixtures.now)))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Fixtures.now)))
        #expect(state.cursor == Fixtures.name("DONE4DDDDDDDDDDDDDDDDDDD"))
        #expect(state.marks.count == 2)
        #expect(state.visible.first == newcomer.name)
        // Sorting by state moves rows but not the cursor or marks.
        Fixtures.press(&state, .character("S"))
        #expect(state.sortKey == .state && state.sortAscending)
        #expect(state.cursor == Fixtures.name("DONE4DDDDDDDDDDDDDDDDDDD"))
        #expect(state.operation(named: state.visible[0])?.state == .running)
        Fixtures.press(&state, .character("S"))
        #expect(!state.sortAscending)
        #expect(state.operation(named: state.visible[0])?.state == .succeeded)
    }

    /// Pages of short listings update rows in place: the sort, the filter and "active only" all see the new
    /// values, and a changed description (which cannot be updated in place) is found by the filter too.
    @Test func refreshedOperationsUpdateTheirRowsInPlace() {
        var state = Fixtures.state()
        Fixtures.press(&state, .character("E")) // sort by EECU, descending: RUN2 (12,400) first
        if state.sortAscending { Fixtures.press(&state, .character("E")) }
        #expect(state.sortKey == .eecu && !state.sortAscending)
        let leaderBefore = state.visible[0]
        let grown = Fixtures.operation("RUN7GGGGGGGGGGGGGGGGGGGG", .running, type: "EXPORT_CLASSIFIER", description: "crop classifier",
                                       minutesAgo: 60, progress: 0.95, eecu: 50_000)
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [grown], transitions: [], at: Fixtures.now)))
        #expect(state.visible[0] == grown.name)
        #expect(state.visible[0] != leaderBefore)

        let finished = Fixtures.operation("RUN1AAAAAAAAAAAAAAAAAAAA", .succeeded, description: "森林被覆変化_関東", minutesAgo: 1, progress: 1, eecu: 812)
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [finished], transitions: [
            StateTransition(name: finished.name, from: .running, to: .succeeded, seenAt: Fixtures.now, operation: finished),
        ], at: Fixtures.now)))
        Fixtures.press(&state, .character("a"))
        #expect(!state.visible.contains(finished.name), "no longer active")
        Fixtures.press(&state, .character("a"))

        let renamed = Fixtures.operation("DONE8HHHHHHHHHHHHHHHHHHH", .succeeded, description: "renamed_by_server", minutesAgo: 70, progress: 1)
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [renamed], transitions: [], at: Fixtures.now)))
        Fixtures.press(&state, .character("/"))
        Fixtures.type(&state, "renamed_by")
        #expect(state.visible == [renamed.name])

        let later = Fixtures.now.addingTimeInterval(5)
        _ = Reducer.reduce(&state, .poller(.upToDate(at: later)))
        #expect(state.freshness.lastSuccess == later)
        #expect(state.freshness.failure == nil)
    }

    /// A changed operation updates its row in place; a complete listing's order, sent only when it differs from
    /// the events', puts the rows in that order, and newcomers go first in the order the server gave them.
    @Test func changesUpdateRowsInPlaceAndAnOrderReordersThem() {
        var state = Fixtures.state()
        var project = Fixtures.project
        project[6] = Fixtures.operation("RUN7GGGGGGGGGGGGGGGGGGGG", .running, type: "EXPORT_CLASSIFIER", description: "crop classifier",
                                        minutesAgo: 60, progress: 0.97, eecu: 123)
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [project[6]], transitions: [], at: Fixtures.now)))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Fixtures.now)))
        #expect(state.operation(named: project[6].name)?.metadata?.progress == 0.97)
        #expect(state.serverOrder == project.map(\.name))
        let newest = Fixtures.operation("NEW0ZZZZZZZZZZZZZZZZZZZZ", .pending, minutesAgo: 0)
        let next = Fixtures.operation("NEW1YYYYYYYYYYYYYYYYYYYY", .pending, minutesAgo: 0.5)
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [newest, next], transitions: [], at: Fixtures.now)))
        #expect(state.serverOrder == [newest.name, next.name] + project.map(\.name))
        _ = Reducer.reduce(&state, .poller(.listed(order: project.reversed().map(\.name) + [next.name, newest.name], at: Fixtures.now)))
        #expect(state.serverOrder == project.reversed().map(\.name) + [next.name, newest.name])
        #expect(state.visible == state.serverOrder, "age descending keeps the server's order")
    }

    @Test func filterAsYouTypeEnterKeepsEscClears() {
        var state = Fixtures.state()
        Fixtures.press(&state, .character("/"))
        #expect(state.mode == .filtering)
        Fixtures.type(&state, "森林")
        #expect(state.visible == [Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA")])
        Fixtures.press(&state, .enter)
        #expect(state.mode == .table)
        #expect(state.filterText == "森林")
        Fixtures.press(&state, .character("/"), .backspace, .backspace)
        Fixtures.type(&state, "export_(video|tiles)")
        #expect(Set(state.visible) == [Fixtures.name("PEND3CCCCCCCCCCCCCCCCCCC"), Fixtures.name("FAIL5EEEEEEEEEEEEEEEEEEE")])
        Fixtures.press(&state, .escape)
        #expect(state.filterText.isEmpty)
        #expect(state.visible.count == 8)
        // Text that is not (yet) a valid regex filters literally.
        Fixtures.press(&state, .character("/"))
        Fixtures.type(&state, "lúa (")
        #expect(state.visible.isEmpty)
    }

    @Test func activeOnlyShowsPendingRunningCancelling() {
        var state = Fixtures.state()
        Fixtures.press(&state, .character("a"))
        #expect(state.visible.count == 4)
        #expect(state.visible.allSatisfy { state.operation(named: $0)!.state.isActive })
        Fixtures.press(&state, .character("a"))
        #expect(state.visible.count == 8)
    }

    @Test func escNeverQuitsAndQDoes() {
        var state = Fixtures.state()
        #expect(Fixtures.press(&state, .escape).isEmpty)
        #expect(!state.quitRequested)
        #expect(Fixtures.press(&state, .character("q")) == [.quit])
        #expect(state.quitRequested)
    }

    @Test func cancelDialogCountsAndConfirms() {
        var state = Fixtures.state()
        // Mark a running, a finished and (after filtering) a hidden operation.
        Fixtures.press(&state, .character(" "))                            // RUN1
        Fixtures.press(&state, .down, .down, .character(" "))              // DONE4 (already done)
        Fixtures.press(&state, .character("/"))
        Fixtures.type(&state, "crop|RUN2")
        Fixtures.press(&state, .enter, .character("g"), .character(" "))  // RUN2 visible first
        #expect(state.marks.count == 3)
        Fixtures.press(&state, .character("x"))
        guard case .confirmCancel(let dialog) = state.mode else { Issue.record("no dialog"); return }
        #expect(dialog.names.sorted() == [Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA"), Fixtures.name("RUN2BBBBBBBBBBBBBBBBBBBB")])
        #expect(dialog.notCancellable == 1)
        #expect(dialog.hiddenMarks == 2)
        #expect(!dialog.yesFocused)
        // Enter on the focused "No" backs out.
        #expect(Fixtures.press(&state, .enter).isEmpty)
        #expect(state.mode == .table)
        Fixtures.press(&state, .character("x"))
        let effects = Fixtures.press(&state, .character("y"))
        // Logged, each request audited as asked for, then sent: in that order.
        #expect(Fixtures.logLines(effects) == ["cancel sent for 2 operations"])
        let actions = Fixtures.actions(effects)
        #expect(actions.count == 2)
        #expect(Fixtures.audited(effects).map(\.stage) == [.requested, .requested])
        #expect(Set(Fixtures.audited(effects).map(\.name)) == Set(dialog.names))
        guard case .audit? = actions.first, case .cancel(let names)? = actions.last else { Issue.record("not audit then cancel: \(actions)"); return }
        #expect(Set(names.map(\.description)) == Set(dialog.names))
        #expect(state.cancelsInFlight == Set(dialog.names))
        #expect(state.marks == [Fixtures.name("DONE4DDDDDDDDDDDDDDDDDDD")], "cancelled rows are unmarked; the finished one stays marked")
    }

    @Test func cancelWithoutMarksTakesTheCurrentRowAndNoBacksOut() {
        var state = Fixtures.state()
        Fixtures.press(&state, .delete)
        guard case .confirmCancel(let dialog) = state.mode else { Issue.record("no dialog"); return }
        #expect(dialog.names == [Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA")])
        let backedOut = Fixtures.press(&state, .character("n"))
        #expect(Fixtures.actions(backedOut).isEmpty)
        #expect(Fixtures.logLines(backedOut) == ["cancel abandoned"])
        #expect(state.mode == .table)
        Fixtures.press(&state, .character("x"), .tab)
        guard case .confirmCancel(let focused) = state.mode else { Issue.record("no dialog"); return }
        #expect(focused.yesFocused)
        #expect(Fixtures.actions(Fixtures.press(&state, .enter)).count == 2, "audit, then cancel")
    }

    @Test func dialogHoldsTheRowsStillWhileOpen() {
        var state = Fixtures.state()
        Fixtures.press(&state, .character("x"))
        let before = state.visible
        let newcomer = Fixtures.operation("NEW0ZZZZZZZZZZZZZZZZZZZZ", .pending, minutesAgo: 0)
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [newcomer], transitions: [], at: Fixtures.now)))
        #expect(state.visible == before)
        Fixtures.press(&state, .escape)
        #expect(state.visible.first == newcomer.name)
    }

    @Test func everyCancelOutcomeIsToldApart() {
        var state = Fixtures.state()
        let run1 = Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA"), run2 = Fixtures.name("RUN2BBBBBBBBBBBBBBBBBBBB")
        let run7 = Fixtures.name("RUN7GGGGGGGGGGGGGGGGGGGG"), pend3 = Fixtures.name("PEND3CCCCCCCCCCCCCCCCCCC")
        Fixtures.press(&state, .character("*"), .character("x"), .character("y"))
        #expect(state.cancelsInFlight == [run1, run2, run7, pend3])
        let track = Reducer.reduce(&state, .cancelAnswered(name: run1, outcome: .requested))
        #expect(Fixtures.actions(track) == [.track([OperationName(validating: run1)!])])
        _ = Reducer.reduce(&state, .cancelAnswered(name: run2, outcome: .requested))
        _ = Reducer.reduce(&state, .cancelAnswered(name: run7, outcome: .unsupported))
        _ = Reducer.reduce(&state, .cancelAnswered(name: pend3, outcome: .failed(code: .unavailable, message: "UNAVAILABLE: try later")))
        #expect(state.cancelsInFlight.isEmpty)
        func seen(_ name: String, _ from: OperationState, _ to: OperationState) -> StateTransition {
            var operation = state.operation(named: name)!
            operation.metadata?.state = to
            return StateTransition(name: name, from: from, to: to, seenAt: Fixtures.now, operation: operation)
        }
        let updates = [seen(run1, .running, .cancelling), seen(run2, .running, .cancelling)]
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: updates.map(\.operation), transitions: updates, at: Fixtures.now)))
        #expect(state.cancels[run1] == .cancelling)
        let finals = [seen(run1, .cancelling, .cancelled), seen(run2, .cancelling, .succeeded)]
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: finals.map(\.operation), transitions: finals, at: Fixtures.now)))
        #expect(state.cancels[run1] == .cancelled)
        #expect(state.cancels[run2] == .finishedDespiteCancel(.succeeded))
        #expect(state.cancels[run7] == .unsupported)
        #expect(state.cancels[pend3] == .failed(code: .unavailable, message: "UNAVAILABLE: try later"))
        #expect(state.changes[run1] == AppState.RowChange(from: .cancelling, to: .cancelled, at: Fixtures.now))
        #expect(state.history[run1]?.map(\.state) == [.running, .cancelling, .cancelled])
        let screen = AppView.render(state).text
        #expect(screen.contains("CANCELLING → CANCELLED"))
        #expect(screen.contains("finished anyway"))
        #expect(screen.contains("unsupported"))
        #expect(screen.contains("error UNAVAILABLE"))
    }

    @Test func readOnlyRemovesCancel() {
        var state = Fixtures.state(readOnly: true)
        let refused = Fixtures.press(&state, .character("x"))
        #expect(Fixtures.actions(refused).isEmpty)
        #expect(Fixtures.logLines(refused) == ["read-only: cancelling is disabled"])
        #expect(state.mode == .table)
        #expect(state.log.last?.text.contains("read-only") == true)
        Fixtures.press(&state, .character("?"))
        let help = AppView.render(state).text
        #expect(help.contains("read-only: cancelling is disabled"))
        #expect(!help.contains("x/Del"))
    }

    @Test func highlightsExpireAndDepartedRowsLeave() {
        var state = Fixtures.state()
        let gone = Fixtures.project[2]
        let rest = Fixtures.project.filter { $0.name != gone.name }
        Fixtures.press(&state, .down, .down, .character(" "))
        #expect(state.marks == [gone.name])
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [], transitions: [
            StateTransition(name: gone.name, from: .pending, to: nil, seenAt: Fixtures.now, operation: gone),
        ], at: Fixtures.now)))
        _ = Reducer.reduce(&state, .poller(.listed(order: rest.map(\.name).reversed(), at: Fixtures.now)))
        #expect(state.visible.contains(gone.name), "a row that disappeared stays, marked, for a few seconds")
        #expect(state.marks.isEmpty, "and is no longer marked")
        #expect(state.stateCounts[.pending] == 0)
        #expect(AppView.render(state).text.contains("PENDING → (gone)"))
        _ = Reducer.reduce(&state, .tick(Fixtures.now.addingTimeInterval(6)))
        #expect(!state.visible.contains(gone.name))
        #expect(state.changes.isEmpty)
    }

    @Test func refreshFailureShowsStaleWarningAndRecovery() {
        var state = Fixtures.state(columns: 120)
        _ = Reducer.reduce(&state, .poller(.refreshFailed(.api(code: .unavailable, httpStatus: 503, message: "down"), at: Fixtures.now.addingTimeInterval(5), retryIn: .seconds(8))))
        _ = Reducer.reduce(&state, .tick(Fixtures.now.addingTimeInterval(45)))
        let header = AppView.render(state).line(1)
        #expect(header.contains("stale 45s, retrying in 0s: 503 UNAVAILABLE from server"))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Fixtures.now.addingTimeInterval(46))))
        #expect(AppView.render(state).line(1).contains("updated 0s ago"))
    }

    @Test func serverClockSkewIsShownInTheHeaderUntilItGoesAway() {
        var state = Fixtures.state(columns: 140)
        _ = Reducer.reduce(&state, .poller(.clockSkew(seconds: 7512)))
        #expect(AppView.render(state).line(1).contains("server clock 2h05m ahead"), "\(AppView.render(state).line(1))")
        #expect(state.log.last?.text.contains("2h05m ahead of this machine's") == true)
        _ = Reducer.reduce(&state, .poller(.clockSkew(seconds: -45)))
        #expect(AppView.render(state).line(1).contains("server clock 45s behind"))
        _ = Reducer.reduce(&state, .poller(.clockSkew(seconds: 0)))
        #expect(!AppView.render(state).line(1).contains("server clock"))
    }

    @Test func pagingAndScrollingKeepTheCursorOnScreen() {
        let many = (0..<100).map { Fixtures.operation(String(format: "OP%022d", $0), .running, minutesAgo: Double($0)) }
        var state = Fixtures.state(operations: many)
        Fixtures.press(&state, .pageDown, .pageDown)
        let index = state.position(of: state.cursor!)!
        #expect(index >= state.scrollOffset && index < state.scrollOffset + state.tableHeight)
        Fixtures.press(&state, .character("G"))
        #expect(state.cursor == many.last?.name)
        #expect(state.scrollOffset == 100 - state.tableHeight)
        Fixtures.press(&state, .home)
        #expect(state.scrollOffset == 0)
        // Range marking from the last marked row to the cursor.
        Fixtures.press(&state, .character(" "), .down, .down, .down, .character("v"))
        #expect(state.marks.count == 5)
        Fixtures.press(&state, .character("u"))
        #expect(state.marks.isEmpty)
        _ = Reducer.reduce(&state, .resize(TerminalSize(columns: 80, rows: 10)))
        let cursorIndex = state.position(of: state.cursor!)!
        #expect(cursorIndex >= state.scrollOffset && cursorIndex < state.scrollOffset + state.tableHeight)
    }

    /// A click selects the operation on the clicked row, found through the screen's layout; a click on the header,
    /// the column headings or the footer selects nothing (it used to select a row above the top of the table).
    @Test func clicksSelectTheRowUnderThePointerAndNothingElse() {
        let many = (0..<100).map { Fixtures.operation(String(format: "OP%022d", $0), .running, minutesAgo: Double($0)) }
        var state = Fixtures.state(operations: many)
        Fixtures.press(&state, .character("G"))
        let top = state.scrollOffset
        #expect(top > 0)
        let layout = state.layout
        for row in [0, 1, layout.body.lowerBound, layout.eventLine, layout.footer] {
            Fixtures.press(&state, .click(row: row))
            #expect(state.cursor == many.last?.name, "a click on screen row \(row) moved the cursor")
        }
        let second = layout.tableRows.lowerBound + 1
        Fixtures.press(&state, .click(row: second))
        #expect(state.cursor == state.visible[top + 1])
    }

    @Test func terminateSignalQuits() {
        var state = Fixtures.state()
        #expect(Reducer.reduce(&state, .terminate) == [.quit])
        #expect(state.quitRequested)
    }
}

@Suite("The TUI reducer's effects, events and key table")
struct ReducerEffectTests {
    // MARK: - Effects: every log line and audit entry is decided here

    /// `--log-file` stopped getting lines once the screen's log held its entries: the app wrote a line only when
    /// the log's length changed. Each entry is now an effect of its own.
    @Test func everyLogEntryIsAnEffectPastTheScreensLimit() {
        var state = Fixtures.state()
        var lines: [String] = []
        let count = AppState.logLimit + 50
        for _ in 0..<count { lines += Fixtures.logLines(Fixtures.press(&state, .character("r"))) }
        #expect(lines.count == count)
        #expect(lines.allSatisfy { $0 == "refreshing" })
        #expect(state.log.count == AppState.logLimit, "the screen keeps the last \(AppState.logLimit)")
    }

    /// The poller saw the operation end before the server's answer to its cancel came: the end is its final outcome,
    /// and is audited (the app used to miss it, comparing the outcomes before and after each event).
    @Test func anEndSeenBeforeTheCancelsAnswerIsAuditedAsFinal() {
        var state = Fixtures.state()
        let run1 = Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA")
        Fixtures.press(&state, .character("x"), .character("y"))
        #expect(state.cancelsInFlight == [run1])
        var cancelled = state.operation(named: run1)!
        cancelled.metadata?.state = .cancelled
        let seen = Reducer.reduce(&state, .poller(.refreshed(operations: [cancelled], transitions: [
            StateTransition(name: run1, from: .running, to: .cancelled, seenAt: Fixtures.now, operation: cancelled),
        ], at: Fixtures.now)))
        #expect(Fixtures.audited(seen).isEmpty, "no answer yet: nothing final to record")
        let answered = Reducer.reduce(&state, .cancelAnswered(name: run1, outcome: .requested))
        #expect(state.cancels[run1] == .cancelled)
        #expect(Fixtures.audited(answered) == [CancelOutcome.cancelled.auditEntry(name: run1, tool: "tui")])
        #expect(Fixtures.audited(answered).first?.stage == .final)
        #expect(!Fixtures.actions(answered).contains { if case .track = $0 { true } else { false } }, "nothing left to track")
    }

    /// Ends observed after the answer are audited once each; an operation that leaves the listing after its cancel
    /// is recorded as such, not as the server's NOT_FOUND.
    @Test func observedEndsAreAuditedOnceAndADisappearanceIsNotARejection() {
        var state = Fixtures.state()
        let run1 = Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA"), run2 = Fixtures.name("RUN2BBBBBBBBBBBBBBBBBBBB")
        Fixtures.press(&state, .character(" "), .character(" "), .character("x"), .character("y"))
        #expect(state.cancelsInFlight == [run1, run2])
        #expect(Fixtures.audited(Reducer.reduce(&state, .cancelAnswered(name: run1, outcome: .requested))).isEmpty,
                "the answer itself is audited where the request was sent")
        _ = Reducer.reduce(&state, .cancelAnswered(name: run2, outcome: .requested))
        func seen(_ name: String, _ from: OperationState, _ to: OperationState) -> StateTransition {
            var operation = state.operation(named: name)!
            operation.metadata?.state = to
            return StateTransition(name: name, from: from, to: to, seenAt: Fixtures.now, operation: operation)
        }
        let cancelling = seen(run1, .running, .cancelling)
        let first = Reducer.reduce(&state, .poller(.refreshed(operations: [cancelling.operation], transitions: [cancelling], at: Fixtures.now)))
        #expect(Fixtures.audited(first).isEmpty, "CANCELLING is not an end")
        let done = seen(run1, .cancelling, .cancelled)
        let second = Reducer.reduce(&state, .poller(.refreshed(operations: [done.operation], transitions: [done], at: Fixtures.now)))
        #expect(Fixtures.audited(second).map(\.stage) == [.final])
        #expect(Fixtures.audited(second).first?.outcome == "CANCELLED")
        let again = Reducer.reduce(&state, .poller(.refreshed(operations: [done.operation], transitions: [done], at: Fixtures.now)))
        #expect(Fixtures.audited(again).isEmpty, "recorded once")

        let last = state.operation(named: run2)!
        let gone = Reducer.reduce(&state, .poller(.refreshed(operations: [], transitions: [
            StateTransition(name: run2, from: last.state, to: nil, seenAt: Fixtures.now, operation: last),
        ], at: Fixtures.now)))
        let entries = Fixtures.audited(gone)
        #expect(entries.map(\.stage) == [.final])
        #expect(entries.first?.code == nil, "not a rejection by the server")
        #expect(entries.first?.outcome == "disappeared from the listing")
    }

    /// When the interface stops, each cancel still without an answer is accounted for: sent and unanswered, or never
    /// sent.
    @Test func stoppingAccountsForEveryCancelInFlight() {
        var state = Fixtures.state()
        let run1 = Fixtures.name("RUN1AAAAAAAAAAAAAAAAAAAA"), run2 = Fixtures.name("RUN2BBBBBBBBBBBBBBBBBBBB")
        Fixtures.press(&state, .character(" "), .character(" "), .character("x"), .character("y"))
        let effects = Reducer.reduce(&state, .stopped(sent: [run2]))
        let entries = Fixtures.audited(effects)
        #expect(entries.map(\.name) == [run1, run2])
        #expect(entries.map(\.stage) == [.notSent, .unanswered])
        #expect(state.cancelsInFlight.isEmpty)
        #expect(state.cancels[run1] == .notSent("eeops stopped first"))
        #expect(state.cancels[run2] == .unanswered)
    }

    /// The audit log failed: the reducer is told, says so once, and the app has stopped sending.
    @Test func anAuditFailureIsShownOnce() {
        var state = Fixtures.state()
        let first = Reducer.reduce(&state, .auditFailed("cannot write the audit log '/x': No space left on device"))
        let second = Reducer.reduce(&state, .auditFailed("cannot write the audit log '/x': No space left on device"))
        #expect(Fixtures.logLines(first) == ["cannot write the audit log '/x': No space left on device: no more cancels are sent"])
        #expect(second.isEmpty)
        #expect(state.log.last?.severity == .error)
    }

    /// The poller is told which operations the user sees (the rows on screen, the cursor's and the marked ones)
    /// when that changes, and only then: it keeps those fresh at every interval.
    @Test func thePollerIsToldWhatTheUserSeesWhenItChanges() {
        let operations = (0..<60).map { Fixtures.operation(String(format: "OP%022d", $0), .running, minutesAgo: Double($0)) }
        var state = Fixtures.state(rows: 24, operations: operations)
        let height = state.tableHeight
        #expect(height > 5 && height < 60)
        #expect(state.pollerFocus?.names == Set(state.visible.prefix(height)), "the first listing's screen")
        #expect(Fixtures.focus(Fixtures.press(&state, .down)) == nil, "the cursor moved within the screen")
        #expect(Fixtures.focus(Reducer.reduce(&state, .tick(Fixtures.now))) == nil)
        let bottom = Fixtures.press(&state, .end)
        #expect(Fixtures.focus(bottom) == Set(state.visible.suffix(height)))
        let marked = Fixtures.press(&state, .home, .character(" "))
        let first = state.visible[0]
        #expect(Fixtures.focus(marked) == Set(state.visible.prefix(height)))
        Fixtures.press(&state, .end)
        #expect(state.pollerFocus?.names == Set(state.visible.suffix(height)).union([first]), "a marked row scrolled away stays in focus")
        let fewer = Reducer.reduce(&state, .resize(TerminalSize(columns: 80, rows: 12)))
        #expect(Fixtures.focus(fewer) == Set(state.visible.suffix(state.tableHeight)).union([first]))
    }

    /// One key table for every mode: no key is bound twice within a mode, every mode but the table has a hint line,
    /// and the screen of each mode shows the line the table generates.
    @Test func everyModeTakesItsKeysAndHintsFromTheOneKeyTable() {
        for context in KeyContext.allCases {
            let keys = KeyMap.standard.bindings(context, readOnly: false).flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "a key bound twice in \(context)")
            if context != .table { #expect(!KeyMap.standard.hints(context).isEmpty, "\(context) has no hints") }
        }
        var state = Fixtures.state(columns: 120, rows: 40)
        var screens: [(KeyContext, String)] = []
        for key in [Key.character("/"), .escape, .character("?"), .character("z"), .enter, .escape, .character("f"), .escape,
                    .character("L"), .character("/"), .escape, .escape, .character("o"), .escape, .character("x")] {
            Fixtures.press(&state, key)
            screens.append((state.mode.keyContext, AppView.render(state).text))
        }
        #expect(Set(screens.map(\.0)) == Set(KeyContext.allCases), "every mode was shown")
        for (context, text) in screens where context != .table {
            #expect(text.contains(KeyMap.standard.hints(context)), "\(context): \(text)")
        }
        #expect(KeyMap.standard.action(for: .character("q"), in: .cancelDialog, readOnly: false) == .abandonCancel, "q in the dialog never quits")
        #expect(KeyMap.standard.action(for: .character("q"), in: .help, readOnly: false) == .closeHelp)
    }

    /// A row kept as "(gone)" whose operation comes back is a newcomer again (first, as the poller counts it) and
    /// is not removed when the departure's highlight would have ended; gone rows cannot be marked or cancelled, and
    /// a complete listing's order keeps them where they were, in their order.
    @Test func goneRowsComeBackAsNewcomersAndCannotBeMarked() {
        var state = Fixtures.state()
        let project = Fixtures.project
        func departure(_ operation: LongRunningOperation) -> StateTransition {
            StateTransition(name: operation.name, from: operation.state, to: nil, seenAt: Fixtures.now, operation: operation)
        }
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [], transitions: [departure(project[4]), departure(project[1])], at: Fixtures.now)))
        #expect(state.isGone(project[1].name) && state.isGone(project[4].name))
        Fixtures.press(&state, .character("*"))
        #expect(!state.marks.contains(project[1].name) && !state.marks.contains(project[4].name), "gone rows are not marked")
        #expect(state.marks.count == project.count - 2)
        let remaining = project.map(\.name).filter { $0 != project[1].name && $0 != project[4].name }
        _ = Reducer.reduce(&state, .poller(.listed(order: remaining.reversed(), at: Fixtures.now)))
        let goneAt = [project[1].name, project[4].name].map { state.serverOrder.firstIndex(of: $0) ?? -1 }
        #expect(goneAt == [1, 4], "gone rows stay where they were: \(state.serverOrder)")

        let back = project[4]
        _ = Reducer.reduce(&state, .poller(.refreshed(operations: [back], transitions: [
            StateTransition(name: back.name, from: nil, to: back.state, seenAt: Fixtures.now, operation: back),
        ], at: Fixtures.now)))
        #expect(state.serverOrder.first == back.name, "a newcomer again")
        #expect(state.serverOrder.filter { $0 == back.name }.count == 1)
        _ = Reducer.reduce(&state, .poller(.initialPage([project[1]]))) // a first listing tried again
        #expect(state.serverOrder.last == project[1].name)
        _ = Reducer.reduce(&state, .tick(Fixtures.now.addingTimeInterval(6)))
        #expect(state.operation(named: back.name) != nil && state.operation(named: project[1].name) != nil, "back for good")
        #expect(state.serverOrder.count == project.count)
    }

    /// The TUI keeps finished operations as summaries (the poller's `.summary`): opening one's details fetches the
    /// whole operation once, shows "loading" until the answer, then its stages, script and destinations; a change
    /// of the operation while its details are open fetches it again, and an answer for closed details is dropped.
    @Test func theDetailsOfASummaryAreFetchedWhenOpened() throws {
        var whole = Fixtures.operation("DONE9JJJJJJJJJJJJJJJJJJJ", .succeeded, description: "summarised", minutesAgo: 0.5, progress: 1)
        whole.metadata?.stages = [OperationStage(displayName: "Write Output", completeWorkUnits: 4, totalWorkUnits: 4)]
        whole.metadata?.scriptUri = "https://code.earthengine.google.com/abc"
        whole.metadata?.destinationUris = ["gs://bucket/out.tif"]
        let summary = whole.summarized()
        #expect(summary.isSummary && summary != whole)
        #expect(summary.metadata?.stages.isEmpty == true && summary.metadata?.scriptUri == nil && summary.metadata?.destinationUris.isEmpty == true)
        #expect(summary.metadata?.description == "summarised" && summary.state == .succeeded)
        #expect(Fixtures.project[0].summarized() == Fixtures.project[0], "an active operation is kept whole")

        var state = Fixtures.state(operations: [summary] + Fixtures.project)
        let name = try #require(OperationName(validating: summary.name))
        #expect(Fixtures.actions(Fixtures.press(&state, .enter)) == [.fetchDetails(name)])
        #expect(AppView.render(state).text.contains("Details      loading…"))
        #expect(!AppView.render(state).text.contains("Stages"))

        _ = Reducer.reduce(&state, .detailsFetched(name: summary.name, .success(whole)))
        var screen = AppView.render(state).text
        #expect(screen.contains("Write Output: 4/4 work units") && screen.contains("gs://bucket/out.tif"))
        #expect(!screen.contains("loading…"))

        var changed = summary
        changed.metadata?.batchEecuUsageSeconds = 5
        let refetch = Reducer.reduce(&state, .poller(.refreshed(operations: [changed], transitions: [], at: Fixtures.now)))
        #expect(Fixtures.actions(refetch) == [.fetchDetails(name)], "nothing to remember without a history")
        _ = Reducer.reduce(&state, .detailsFetched(name: summary.name, .failure(.transport("connection reset"))))
        screen = AppView.render(state).text
        #expect(screen.contains("could not be fetched: connection reset"))

        Fixtures.press(&state, .escape)
        #expect(state.details == nil)
        _ = Reducer.reduce(&state, .detailsFetched(name: summary.name, .success(whole)))
        #expect(state.details == nil, "the answer for details no longer open is dropped")
        Fixtures.press(&state, .down, .enter)
        #expect(state.details == nil, "a whole operation needs no fetch")
    }

    /// Rows from the local history show at once, marked as such; the first listing's pages replace them, and
    /// when it ends the rows it did not list leave (with their marks) and the rest take the server's order.
    /// Every page and refresh is handed to the history (`remember`).
    @Test func rowsFromTheHistoryShowUntilTheFirstListingReplacesThem() {
        var settings = AppState.Settings(projects: ["demo"], endpoint: "http://127.0.0.1:8080", apiVersion: "v1", authSource: "test")
        settings.highlightSeconds = 5
        settings.recordsHistory = true
        var state = AppState(settings: settings, size: TerminalSize(columns: 100, rows: 30), now: Fixtures.now)
        let cached = [
            Fixtures.operation("OLDRUNAAAAAAAAAAAAAAAAAA", .running, minutesAgo: 30),
            Fixtures.operation("GONEBBBBBBBBBBBBBBBBBBBB", .succeeded, minutesAgo: 40),
            Fixtures.operation("KEPTCCCCCCCCCCCCCCCCCCCC", .failed, minutesAgo: 50),
        ]
        let shown = Reducer.reduce(&state, .cachedRows(cached))
        #expect(!shown.contains { if case .remember = $0 { true } else { false } }, "rows from the history are not written back")
        #expect(state.visible == cached.map(\.name))
        #expect(state.cachedNames == Set(cached.map(\.name)))
        #expect(AppView.render(state).text.contains("3 rows from history"))
        Fixtures.press(&state, .down, .character(" "))
        #expect(state.marks == [Fixtures.name("GONEBBBBBBBBBBBBBBBBBBBB")])

        // The server's first page: a new operation, and the cached running one, now succeeded.
        let newest = Fixtures.operation("NEWDDDDDDDDDDDDDDDDDDDDD", .pending, minutesAgo: 1)
        let finished = Fixtures.operation("OLDRUNAAAAAAAAAAAAAAAAAA", .succeeded, minutesAgo: 30)
        let pageEffects = Reducer.reduce(&state, .poller(.initialPage([newest, finished])))
        #expect(pageEffects.contains(.remember([newest, finished])))
        #expect(state.operation(named: finished.name)?.state == .succeeded)
        #expect(state.cachedNames == [Fixtures.name("GONEBBBBBBBBBBBBBBBBBBBB"), Fixtures.name("KEPTCCCCCCCCCCCCCCCCCCCC")])
        let kept = Fixtures.operation("KEPTCCCCCCCCCCCCCCCCCCCC", .failed, minutesAgo: 50)
        _ = Reducer.reduce(&state, .poller(.initialPage([kept])))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Fixtures.now)))
        #expect(state.cachedNames.isEmpty)
        #expect(state.visible == [newest.name, finished.name, kept.name], "the server's order; the unlisted row is gone")
        #expect(state.marks.isEmpty, "the mark of a row the server no longer lists is dropped")
        #expect(!AppView.render(state).text.contains("from history"))

        // Later refreshes hand over what changed state, not what only moved on; the history rows are never shown
        // again.
        var progressed = newest
        progressed.metadata?.progress = 0.5
        let moved = Reducer.reduce(&state, .poller(.refreshed(operations: [progressed], transitions: [], at: Fixtures.now)))
        #expect(!moved.contains { if case .remember = $0 { true } else { false } })
        let started = Fixtures.operation("NEWDDDDDDDDDDDDDDDDDDDDD", .running, minutesAgo: 1)
        let refreshed = Reducer.reduce(&state, .poller(.refreshed(operations: [started], transitions: [
            StateTransition(name: started.name, from: .pending, to: .running, seenAt: Fixtures.now, operation: started),
        ], at: Fixtures.now)))
        #expect(refreshed.contains(.remember([started])))
        _ = Reducer.reduce(&state, .cachedRows(cached))
        #expect(state.cachedNames.isEmpty && state.operationCount == 3)
        // Quitting hands over the active rows as last seen, with their latest progress and EECU.
        #expect(Fixtures.press(&state, .character("q")) .contains(.remember([started])))
    }
}
