import EarthEngineOperations
import Foundation
import Testing
@testable import OperationsTUI

/// One table over several projects, headless: each project's poller events concern its own rows, the order by
/// age runs across projects by creation time, and the header counts each project.
@Suite("Several projects in one table")
struct SeveralProjectsTests {
    static func operation(_ project: String, _ id: String, _ state: OperationState, minutesAgo: Double) -> LongRunningOperation {
        var operation = Fixtures.operation(id, state, minutesAgo: minutesAgo)
        operation.name = "projects/\(project)/operations/\(id)"
        return operation
    }

    static let alpha = [operation("alpha", "A1AAAAAAAAAAAAAAAAAAAAAA", .running, minutesAgo: 1),
                        operation("alpha", "A2AAAAAAAAAAAAAAAAAAAAAA", .succeeded, minutesAgo: 30)]
    static let beta = [operation("beta-project", "B1BBBBBBBBBBBBBBBBBBBBBB", .pending, minutesAgo: 5),
                       operation("beta-project", "B2BBBBBBBBBBBBBBBBBBBBBB", .failed, minutesAgo: 60)]

    static func state() -> AppState {
        var settings = AppState.Settings(projects: ["alpha", "beta-project"], endpoint: "http://127.0.0.1:8080", apiVersion: "v1", authSource: "test")
        settings.highlightSeconds = 5
        var state = AppState(settings: settings, size: TerminalSize(columns: 140, rows: 30), now: Fixtures.now)
        _ = Reducer.reduce(&state, .poller(.initialPage(alpha), project: "alpha"))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Fixtures.now), project: "alpha"))
        return state
    }

    @Test func rowsOfEveryProjectShareTheTableInOrderOfCreation() {
        var state = Self.state()
        #expect(state.freshness.loading, "loading until every project has been listed")
        _ = Reducer.reduce(&state, .poller(.initialPage(Self.beta), project: "beta-project"))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Fixtures.now), project: "beta-project"))
        #expect(!state.freshness.loading)
        #expect(state.visible.map { String($0.suffix(24).prefix(2)) } == ["A1", "B1", "A2", "B2"], "newest first, across projects")
        Fixtures.press(&state, .character("A"))
        #expect(state.visible.map { String($0.suffix(24).prefix(2)) } == ["B2", "A2", "B1", "A1"], "again: oldest first")
        // The header counts each project; the table starts with the project.
        let screen = AppView.render(state).text
        let lines = screen.split(separator: "\n")
        #expect(lines[0].contains("alpha 1/2") && lines[0].contains("beta-project 1/2"), "\(lines[0])")
        #expect(lines[state.layout.body.lowerBound].contains("PROJECT"), "\(screen)")
        #expect(lines.contains { $0.contains("beta-project") && $0.contains("B1BBBBBB") }, "\(screen)")
    }

    /// A complete listing of one project puts its rows in its order and leaves the other's alone; a failure of
    /// one project stays in the header until that project, not the other, is refreshed again.
    @Test func eachProjectsEventsConcernItsOwnRows() {
        var state = Self.state()
        _ = Reducer.reduce(&state, .poller(.initialPage(Self.beta), project: "beta-project"))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: Fixtures.now), project: "beta-project"))
        _ = Reducer.reduce(&state, .poller(.listed(order: Self.alpha.reversed().map(\.name), at: Fixtures.now), project: "alpha"))
        #expect(state.operationCount == 4, "the other project's rows stay")
        #expect(state.serverOrder == (Self.alpha.reversed() + Self.beta).map(\.name), "project by project, in the order given")
        _ = Reducer.reduce(&state, .poller(.refreshFailed(.transport("connection refused"), at: Fixtures.now, retryIn: .seconds(4)), project: "beta-project"))
        #expect(state.freshness.failure?.message == "beta-project: connection refused")
        _ = Reducer.reduce(&state, .poller(.upToDate(at: Fixtures.now), project: "alpha"))
        #expect(state.freshness.failure != nil, "alpha's refresh does not clear beta-project's failure")
        _ = Reducer.reduce(&state, .poller(.upToDate(at: Fixtures.now), project: "beta-project"))
        #expect(state.freshness.failure == nil)
        // Both fail, alpha first; beta-project recovers: alpha's failure is still shown, stale since its last success.
        let later = Fixtures.now.addingTimeInterval(60)
        _ = Reducer.reduce(&state, .poller(.refreshFailed(.transport("reset"), at: later, retryIn: .seconds(30)), project: "alpha"))
        _ = Reducer.reduce(&state, .poller(.refreshFailed(.transport("refused"), at: later.addingTimeInterval(5), retryIn: .seconds(4)), project: "beta-project"))
        #expect(state.freshness.failure?.message == "alpha: reset (and 1 more project failing)")
        _ = Reducer.reduce(&state, .poller(.upToDate(at: later.addingTimeInterval(10)), project: "beta-project"))
        #expect(state.freshness.failure?.message == "alpha: reset" && state.freshness.failure?.staleSince == Fixtures.now)
        // Each project's pace: the longest interval, stretched when any is.
        let pace = { (seconds: Int64, stretched: Bool) in
            PollSchedule(interval: .seconds(seconds), completeListingInterval: .seconds(30), trackedInterval: .seconds(1), pagesPerListing: 1,
                         pagesPerCompleteListing: 1, requestsPerSecond: 1, isStretched: stretched)
        }
        _ = Reducer.reduce(&state, .poller(.schedule(pace(8, true)), project: "alpha"))
        _ = Reducer.reduce(&state, .poller(.schedule(pace(2, false)), project: "beta-project"))
        #expect(state.freshness.interval == 8 && state.freshness.stretched)
        // The cancel dialog names the projects the chosen rows are in.
        Fixtures.press(&state, .character("*"), .character("x"))
        #expect(AppView.render(state).text.contains("Cancel 2 operations in 2 projects?"), "the done ones are skipped")
        Fixtures.press(&state, .character("n"), .character("u"), .character("g"), .character("x"))
        #expect(AppView.render(state).text.contains("Cancel 1 operation in alpha?"))
    }
}
