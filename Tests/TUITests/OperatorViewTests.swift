import EarthEngineOperations
import Foundation
import Testing
@testable import OperationsTUI

/// The operator's view in the TUI, headless: the state filter, the EECU totals in the header, the lifetime flag,
/// the progress bar and the sparkline of running and pending counts.
@Suite("The TUI's operator view")
struct OperatorViewTests {
    /// Keys 1 to 6 show or hide one state each (several at once), 0 shows every state again; the header names
    /// the states chosen.
    @Test func numberKeysFilterByState() {
        var state = Fixtures.state(columns: 120, rows: 30)
        Fixtures.press(&state, .character("2"))
        #expect(state.stateFilter == [.running])
        #expect(state.visible.allSatisfy { state.operation(named: $0)?.state == .running } && state.visible.count == 3)
        Fixtures.press(&state, .character("6"))
        #expect(state.stateFilter == [.running, .failed] && state.visible.count == 4)
        #expect(AppView.render(state).text.split(separator: "\n").first?.contains("RUNNING+FAILED") == true)
        Fixtures.press(&state, .character("2"))
        #expect(state.stateFilter == [.failed] && state.visible.count == 1)
        Fixtures.press(&state, .character("0"))
        #expect(state.stateFilter.isEmpty && state.visible.count == 8)
    }

    /// The header adds up the EECU of the rows shown (of all, when filtered) and of the marked rows.
    @Test func theHeaderTotalsEECUShownAndMarked() {
        var state = Fixtures.state(columns: 160, rows: 30)
        // The fixture reports 812 + 12,400 + 3 + 99 EECU-seconds: 3.7 EECU-hours.
        #expect(state.totalEECU == 13_314 && state.visibleEECU == 13_314)
        var header = AppView.render(state).text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("3.7 EECU-h · 8/8"), "\(header)")
        Fixtures.press(&state, .character("1"), .character("4"))
        #expect(state.visibleEECU == 3)
        header = AppView.render(state).text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("3 EECU-s of 3.7 EECU-h"), "\(header)")
        Fixtures.press(&state, .character("0"), .character("g"), .character(" "), .character(" "))
        #expect(state.markedEECU == 812 + 12_400)
        header = AppView.render(state).text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("2 marked (3.7 EECU-h)"), "\(header)")
        // At 80 columns the totals give way to the counts.
        var narrow = Fixtures.state(columns: 80, rows: 24)
        Fixtures.press(&narrow, .character(" "))
        let narrowHeader = AppView.render(narrow).text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(narrowHeader.contains("1 marked · 8/8") && !narrowHeader.contains("EECU"), "\(narrowHeader)")
    }

    /// A PENDING or RUNNING operation created over nine days ago carries the hourglass in its row (and a
    /// spelled-out flag in ASCII), and a line in its details.
    @Test func operationsNearTheirLifetimeAreFlagged() {
        let old = Fixtures.operation("OLDAAAAAAAAAAAAAAAAAAAAA", .pending, description: "queued for days", minutesAgo: 9.5 * 24 * 60)
        let young = Fixtures.operation("YOUNGBBBBBBBBBBBBBBBBBBB", .pending, description: "queued today", minutesAgo: 60)
        let state = Fixtures.state(columns: 120, rows: 20, operations: [old, young])
        let lines = AppView.render(state).text.split(separator: "\n")
        #expect(lines.first { $0.contains("queued for days") }?.contains("PENDING ⌛") == true, "\(lines)")
        #expect(lines.first { $0.contains("queued today") }?.contains("⌛") == false)
        var ascii = state
        ascii.settings.ascii = true
        #expect(AppView.render(ascii).text.contains("PENDING (10d!)"))
        var detail = state
        Fixtures.press(&detail, .enter)
        #expect(AppView.render(detail).text.contains("the server ends a task after 10"))
    }

    @Test func progressIsABarWhereThereIsRoom() {
        let half = Fixtures.operation("HALFAAAAAAAAAAAAAAAAAAAA", .running, minutesAgo: 1, progress: 0.5)
        #expect(TableView.progressBar(half, width: 10, policy: TextPolicy(ascii: false)) == "██▌    50%")
        #expect(TableView.progressBar(half, width: 10, policy: TextPolicy(ascii: true)) == "##...  50%")
        let done = Fixtures.operation("DONEBBBBBBBBBBBBBBBBBBBB", .succeeded, minutesAgo: 1, progress: 1)
        #expect(TableView.progressBar(done, width: 10, policy: TextPolicy(ascii: false)) == "█████ 100%")
        let none = Fixtures.operation("NONECCCCCCCCCCCCCCCCCCCC", .pending, minutesAgo: 1)
        #expect(TableView.progressBar(none, width: 10, policy: TextPolicy(ascii: false)) == "         -")
        let wide = AppView.render(Fixtures.state(columns: 160, rows: 30)).text
        #expect(wide.contains("PROGRESS") && wide.contains("████▌  90%"), "90% of 5 cells is 4½: \(wide)")
        #expect(!AppView.render(Fixtures.state(columns: 100, rows: 30)).text.contains("PROGRESS"))
    }

    /// One sample of the running and pending counts every 10 s once the listing is in, drawn as sparklines.
    @Test func runningAndPendingAreSampledIntoSparklines() {
        var state = Fixtures.state(columns: 160, rows: 30)
        for second in stride(from: 0, to: 35, by: 1) {
            _ = Reducer.reduce(&state, .tick(Fixtures.now.addingTimeInterval(Double(second))))
            if second == 12 {
                let more = Fixtures.operation("RUNXAAAAAAAAAAAAAAAAAAAA", .running, minutesAgo: 0)
                _ = Reducer.reduce(&state, .poller(.refreshed(operations: [more], transitions: [], at: Fixtures.now)))
            }
        }
        #expect(state.activity.map(\.running) == [3, 3, 4, 4])
        #expect(state.activity.map(\.pending) == [1, 1, 1, 1])
        #expect(AppView.sparkline([0, 2, 4, 8], ascii: false) == "▁▃▅█")
        #expect(AppView.sparkline([0, 2, 4, 8], ascii: true) == "_.-#")
        #expect(AppView.render(state).text.contains("run ▆▆██ pend ████"), "\(AppView.render(state).text.prefix(400))")
    }

    /// `f` lists the failed operations grouped by error; `m` marks a group, Enter shows only it, 0 shows all again.
    @Test func failureGroupsCanBeShownAndMarked() {
        func failed(_ id: String, _ message: String) -> LongRunningOperation {
            let base = Fixtures.operation(id, .failed, minutesAgo: 5)
            return LongRunningOperation(name: base.name, metadata: base.metadata, done: true, error: Status(code: 5, message: message))
        }
        let operations = [
            failed("F1AAAAAAAAAAAAAAAAAAAAAA", "Asset 'projects/x/assets/a1' not found."),
            Fixtures.operation("RUNBBBBBBBBBBBBBBBBBBBBB", .running, minutesAgo: 1),
            failed("F2CCCCCCCCCCCCCCCCCCCCCC", "Asset 'projects/x/assets/b22' not found."),
            failed("F3DDDDDDDDDDDDDDDDDDDDDD", "Computation timed out."),
        ]
        var state = Fixtures.state(columns: 120, rows: 30, operations: operations)
        Fixtures.press(&state, .character("f"))
        #expect(state.mode == .failures(selected: 0))
        #expect(state.failureGroups.map(\.count) == [2, 1])
        let text = AppView.render(state).text
        #expect(text.contains("Failures: 3 in 2 group(s)") && text.contains("2  NOT_FOUND  Asset '…' not found."), "\(text)")
        Fixtures.press(&state, .character("m"))
        #expect(state.mode == .table)
        #expect(state.marks == [operations[0].name, operations[2].name])
        Fixtures.press(&state, .character("f"), .character("j"), .enter)
        #expect(state.visible == [operations[3].name])
        #expect(AppView.render(state).text.split(separator: "\n").first?.contains("failure group (1): Computation timed out.") == true)
        Fixtures.press(&state, .character("0"))
        #expect(state.groupFilter == nil && state.visible.count == 4)
        Fixtures.press(&state, .character("f"), .escape)
        #expect(state.mode == .table && state.visible.count == 4)
    }

    /// `--eecu-limit 100`: the rows past it carry `$!` and their EECU in the warning colour, in any state; the
    /// header counts them. Without `--cancel-over-limit` the guard never cancels.
    @Test func theBudgetGuardFlagsRowsPastTheLimit() throws {
        var state = Fixtures.state(columns: 140, rows: 20) { $0.budget = EECUBudget(limitSeconds: 100) }
        #expect(state.mode == .table, "a guard that only flags asks nothing")
        // RUN1 (812) and RUN2 (12,400) are past 100 EECU-seconds; RUN7 (99) and DONE4 (3) are not.
        #expect(state.overLimitCount == 2)
        let lines = AppView.render(state).text.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("2 over 100 EECU-s") == true, "\(lines[0])")
        #expect(lines.first { $0.contains("RUN1AAAA") }?.contains("RUNNING $!") == true)
        #expect(lines.first { $0.contains("RUN7GGGG") }?.contains("$!") == false)
        let row = try #require(lines.firstIndex { $0.contains("RUN2BBBB") })
        let eecuColumn = try #require(lines[row].range(of: "12.4k"))
        let x = lines[row].distance(from: lines[row].startIndex, to: eecuColumn.lowerBound)
        #expect(AppView.render(state).cells[row * 140 + x].style.role == .warning)
        // It grows past the limit while running: flagged from that refresh on, and nothing is sent.
        let grown = Fixtures.operation("RUN7GGGGGGGGGGGGGGGGGGGG", .running, type: "EXPORT_CLASSIFIER", description: "crop classifier",
                                       minutesAgo: 60, progress: 0.9, eecu: 150)
        let effects = Reducer.reduce(&state, .poller(.refreshed(operations: [grown], transitions: [], at: Fixtures.now)))
        #expect(state.overLimitCount == 3)
        #expect(!effects.contains { if case .cancel = $0 { true } else { false } })
    }

    /// `--cancel-over-limit`: the screen opens on one question. Yes arms the guard, which cancels the running
    /// and pending rows past the limit at once and those that pass it later, each once and audited as the user's
    /// cancels are; finished rows past it stay flagged only.
    @Test func theArmedGuardCancelsWhatPassesTheLimitOnce() throws {
        let finishedOver = Fixtures.operation("DONEOVERAAAAAAAAAAAAAAAA", .succeeded, minutesAgo: 20, eecu: 5_000)
        let runningOver = Fixtures.operation("RUNOVERBBBBBBBBBBBBBBBBB", .running, minutesAgo: 10, eecu: 600)
        let runningUnder = Fixtures.operation("RUNUNDERCCCCCCCCCCCCCCCC", .running, minutesAgo: 5, eecu: 40)
        var state = Fixtures.state(columns: 120, rows: 20, operations: [runningUnder, runningOver, finishedOver]) {
            $0.budget = EECUBudget(limitSeconds: 500, cancelsOverLimit: true)
        }
        #expect(state.mode == .confirmGuard(yesFocused: false) && !state.guardArmed)
        // As docs/operator-view.md shows it.
        #expect(AppView.render(state).text.contains("│that has used more than 500 EECU-s, now and as they pass it?     │"))
        #expect(AppView.render(state).text.contains("│Each cancel is audited. No: rows past the limit are only flagged.│"))
        #expect(state.cancelsInFlight.isEmpty, "nothing is cancelled before the user agrees")
        let armed = Fixtures.press(&state, .character("y"))
        #expect(state.mode == .table && state.guardArmed)
        #expect(Fixtures.actions(armed).contains(.cancel([try #require(OperationName(validating: runningOver.name))])))
        #expect(Fixtures.audited(armed).map(\.name) == [runningOver.name] && Fixtures.audited(armed).allSatisfy { $0.stage == .requested })
        #expect(state.cancelsInFlight == [runningOver.name])
        #expect(AppView.render(state).text.split(separator: "\n").first?.contains("2 over 500 EECU-s (cancelling)") == true)

        // A refresh while the cancel is in flight sends nothing again; the row that passes the limit is cancelled.
        var grown = runningUnder
        grown.metadata?.batchEecuUsageSeconds = 700
        let refresh = Reducer.reduce(&state, .poller(.refreshed(operations: [runningOver, grown], transitions: [], at: Fixtures.now)))
        #expect(Fixtures.actions(refresh).filter { if case .cancel = $0 { true } else { false } } == [.cancel([try #require(OperationName(validating: grown.name))])])
        _ = Reducer.reduce(&state, .cancelAnswered(name: grown.name, outcome: .requested))
        let again = Reducer.reduce(&state, .poller(.refreshed(operations: [grown], transitions: [], at: Fixtures.now)))
        #expect(!again.contains { if case .cancel = $0 { true } else { false } }, "a row the guard cancelled is cancelled once")
    }

    /// No: the guard stays as it was asked, flagging only, and says so; a read-only TUI never asks.
    @Test func aDeclinedGuardOnlyFlags() {
        let over = Fixtures.operation("RUNOVERBBBBBBBBBBBBBBBBB", .running, minutesAgo: 10, eecu: 600)
        var state = Fixtures.state(columns: 120, rows: 20, operations: [over]) { $0.budget = EECUBudget(limitSeconds: 500, cancelsOverLimit: true) }
        let declined = Fixtures.press(&state, .enter) // the focus starts on No
        #expect(state.mode == .table && !state.guardArmed)
        #expect(Fixtures.logLines(declined).contains { $0.contains("flagged, not cancelled") })
        let refresh = Reducer.reduce(&state, .poller(.refreshed(operations: [over], transitions: [], at: Fixtures.now)))
        #expect(!refresh.contains { if case .cancel = $0 { true } else { false } })
        let readOnly = Fixtures.state(readOnly: true) { $0.budget = EECUBudget(limitSeconds: 500, cancelsOverLimit: true) }
        #expect(readOnly.mode == .table)
    }

    /// `--notify`: the end of a marked row, or of one the user cancelled, is announced; other rows' ends are not,
    /// and nothing is announced without `--notify`.
    @Test func endingsOfMarkedAndCancelledRowsAreAnnounced() throws {
        func ended(_ id: String, _ to: OperationState) -> StateTransition {
            let operation = Fixtures.operation(id, to, minutesAgo: 10)
            return StateTransition(name: operation.name, from: .running, to: to, seenAt: Fixtures.now, operation: operation)
        }
        let marked = Fixtures.operation("MARKEDAAAAAAAAAAAAAAAAAA", .running, minutesAgo: 10)
        let cancelled = Fixtures.operation("CANCELLEDBBBBBBBBBBBBBBB", .running, minutesAgo: 11)
        let other = Fixtures.operation("OTHERCCCCCCCCCCCCCCCCCCC", .running, minutesAgo: 12)
        for notifies in [true, false] {
            var state = Fixtures.state(columns: 120, rows: 20, operations: [marked, cancelled, other]) { $0.notifiesEndings = notifies }
            Fixtures.press(&state, .down, .character("x"), .character("y")) // cancel the second row
            _ = Reducer.reduce(&state, .cancelAnswered(name: cancelled.name, outcome: .requested))
            Fixtures.press(&state, .home, .character(" "))
            #expect(state.marks == [marked.name])
            let transitions = [ended("MARKEDAAAAAAAAAAAAAAAAAA", .succeeded), ended("CANCELLEDBBBBBBBBBBBBBBB", .cancelled), ended("OTHERCCCCCCCCCCCCCCCCCCC", .failed)]
            let effects = Reducer.reduce(&state, .poller(.refreshed(operations: transitions.map(\.operation), transitions: transitions, at: Fixtures.now)))
            let announced = effects.compactMap { if case .notify(let operation) = $0 { operation.name } else { nil } }
            #expect(announced == (notifies ? [marked.name, cancelled.name] : []))
        }
    }
}
