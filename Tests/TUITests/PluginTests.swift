import EarthEngineOperations
import Foundation
import Testing
@testable import OperationsTUI

/// Plugins, headless: a key runs a command over the chosen rows, after a question when it asks for one, and its
/// end is told on the event line.
@Suite("The TUI's plugins")
struct PluginTests {
    static let echo = Plugin(name: "echo names", key: .character("E"), command: ["echo"], background: true)
    static let resubmit = Plugin(name: "resubmit", key: .character("R"), command: ["/home/me/bin/resubmit", "--now"], confirm: true)

    func state() -> AppState {
        var state = Fixtures.state(columns: 120, rows: 30)
        state.settings.plugins = [Self.echo, Self.resubmit]
        return state
    }

    @Test func aPluginRunsOverTheMarkedRowsOrTheCurrentOne() throws {
        var state = state()
        let current = try #require(state.cursor)
        var effects = Fixtures.press(&state, .character("E"))
        #expect(Fixtures.actions(effects) == [.runPlugin(Plugin.Run(plugin: Self.echo, names: [current]))], "E no longer sorts by EECU")
        #expect(Fixtures.logLines(effects) == ["echo names: running on 1 operation in the background"])
        Fixtures.press(&state, .character(" "), .character(" "))
        let marked = state.visible.prefix(2).map { $0 }
        effects = Fixtures.press(&state, .character("E"))
        let run = try #require(effects.compactMap { if case .runPlugin(let run) = $0 { run } else { nil } }.first)
        #expect(run.names == marked)
        #expect(run.arguments == ["echo"] + marked)
        let first = try #require(OperationName(validating: marked[0]))
        #expect(run.environment["EEOPS_NAMES"] == marked.joined(separator: "\n"))
        #expect(run.environment["EEOPS_COUNT"] == "2" && run.environment["EEOPS_ID"] == first.operationID && run.environment["EEOPS_PROJECT"] == first.project)
    }

    @Test func aPluginThatAsksRunsOnlyOnYes() throws {
        var state = state()
        let current = try #require(state.cursor)
        #expect(Fixtures.actions(Fixtures.press(&state, .character("R"))).isEmpty)
        #expect(state.mode == .confirmPlugin(Plugin.Run(plugin: Self.resubmit, names: [current]), yesFocused: false))
        let dialog = AppView.render(state).text
        #expect(dialog.contains("Run resubmit on 1 operation?") && dialog.contains("/home/me/bin/resubmit --now NAME") && dialog.contains("[ No ]"), "\(dialog)")
        var effects = Fixtures.press(&state, .enter)
        #expect(Fixtures.actions(effects).isEmpty && state.mode == .table, "Enter on No runs nothing")
        #expect(Fixtures.logLines(effects) == ["resubmit: not run"])
        Fixtures.press(&state, .character("R"))
        effects = Fixtures.press(&state, .character("y"))
        #expect(Fixtures.actions(effects) == [.runPlugin(Plugin.Run(plugin: Self.resubmit, names: [current]))])
    }

    @Test func theEndOfAPluginIsOnTheEventLine() {
        var state = state()
        let lines = [Result<Int32, PluginFailure>.success(0), .success(3), .failure(PluginFailure("No such file or directory"))].flatMap { result in
            Fixtures.logLines(Reducer.reduce(&state, .pluginFinished(name: "resubmit", result)))
        }
        #expect(lines == ["resubmit: done (exit status 0)", "resubmit: failed (exit status 3)", "resubmit: could not run: No such file or directory"])
        #expect(state.log.last?.severity == .error)
        let notFound = Fixtures.logLines(Reducer.reduce(&state, .pluginFinished(name: "resubmit", .success(127))))
        #expect(notFound == ["resubmit: failed (exit status 127: the command was not found)"])
    }

    @Test func theHelpListsThePlugins() {
        var state = state()
        state.size = TerminalSize(columns: 160, rows: 50)
        Fixtures.press(&state, .character("?"))
        let help = AppView.render(state).text
        #expect(help.contains("plugin: echo names") && help.contains("plugin: resubmit"), "\(help)")
    }

    /// Server text is untrusted: a name the server sent that is not of the documented shape (an option, a
    /// newline) never reaches the command.
    @Test func onlyWellFormedNamesReachTheCommand() throws {
        let odd = LongRunningOperation(name: "--output=/etc/passwd")
        let split = LongRunningOperation(name: "projects/demo/operations/A\nB")
        var state = Fixtures.state(columns: 120, rows: 30, operations: [odd, split] + Fixtures.project)
        state.settings.plugins = [Self.echo]
        Fixtures.press(&state, .character("*"))
        let effects = Fixtures.press(&state, .character("E"))
        let run = try #require(effects.compactMap { if case .runPlugin(let run) = $0 { run } else { nil } }.first)
        #expect(!run.names.contains(odd.name) && !run.names.contains(split.name) && run.names.count == Fixtures.project.count, "\(run.names)")
    }

    @Test func withNoRowsAPluginSaysSo() {
        var state = Fixtures.state(columns: 120, rows: 30, operations: [])
        state.settings.plugins = [Self.echo]
        let effects = Fixtures.press(&state, .character("E"))
        #expect(Fixtures.actions(effects).isEmpty)
        #expect(Fixtures.logLines(effects) == ["echo names: no operation to run it on"])
    }
}
