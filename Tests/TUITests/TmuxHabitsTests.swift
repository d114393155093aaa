import Foundation
import TestSupport
import Testing

/// Issue 23's habits in tmux: the clipboard sequence in the terminal's raw output, a config file's theme in the
/// cells, a remapped key, plugins writing files, and named views with their columns.
extension TmuxEndToEndTests {
    /// `c` puts the current row's full name on the terminal's clipboard through OSC 52: the sequence is in the
    /// pane's raw output, tmux (with `set-clipboard on`) takes it into its paste buffer, and the event line says
    /// what was copied.
    @Test func copyPutsTheFullNameOnTheClipboardThroughOSC52() async throws {
        let raw = NSTemporaryDirectory() + "eeops-tui-raw-\(UUID().uuidString)"
        try await withTUI(operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            try tui.tmux(["set-option", "-g", "set-clipboard", "on"])
            try tui.tmux(["pipe-pane", "-o", "cat >> \(raw)"])
            _ = try await tui.waitFor("e2e unsupported", timeout: 60)
            try tui.send("g", "c")
            _ = try await tui.waitFor("copied 1 name to the clipboard")
            let buffer = try tui.tmux(["show-buffer"])
            #expect(Self.threeKinds.contains { $0.contains(buffer.dropFirst("projects/\(Self.project)/operations/".count).dropLast()) }, "\(buffer)")
            #expect(buffer.hasPrefix("projects/\(Self.project)/operations/") && buffer.hasSuffix("\n"), "\(buffer)")
            var output = ""
            for _ in 0..<50 where !output.contains("\u{1B}]52;c;") {
                output = (try? String(contentsOfFile: raw, encoding: .utf8)) ?? ""
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(output.contains("\u{1B}]52;c;" + Data(buffer.utf8).base64EncodedString() + "\u{07}"), "\(output.suffix(200).debugDescription)")
        }
    }

    /// A config file's theme colours the cells: its 256-colour choice on a 256-colour terminal, the nearest of the
    /// 8 on an 8-colour one, none under NO_COLOR; its `readonly: true` removes the cancel action.
    @Test(arguments: [
        ("TERM=xterm-256color", "38;5;45"),
        ("TERM=xterm", "36"),
        ("TERM=xterm-256color NO_COLOR=1", nil),
    ] as [(String, String?)])
    func aConfigFilesThemeColoursTheCells(environment: String, colour: String?) async throws {
        let config = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
        // The emulator's clock is a year behind the TUI's, so every row is flagged as near the 10-day lifetime and
        // its state is drawn in the warning role.
        try "readonly: true\ntheme:\n  base: mono\n  colors:\n    warning: {fg: 45, bold: true}\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await withTUI(columns: 140, arguments: "--config \(config)", environment: "LANG=C.UTF-8 " + environment, operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            let screen = try await tui.waitFor("e2e unsupported", timeout: 60)
            #expect(screen.contains("READ-ONLY"), "\(screen)")
            let cells = try tui.screenWithEscapes()
            let running = row("E2EBBBBB", in: cells) // not the cursor's row, which is drawn reversed
            let state = try #require(running.range(of: "RUNNING"), "\(running.debugDescription)")
            // The SGR sequences since the last reset before the state's text: the state's look.
            let before = running[..<state.lowerBound]
            let look = before.range(of: "\u{1B}[0", options: .backwards).map { String(before[$0.upperBound...]) } ?? String(before)
            let parameters = look.split(whereSeparator: { $0 == ";" || $0 == "m" || $0 == "[" || $0 == "\u{1B}" }).map(String.init)
            if let colour {
                #expect(parameters.contains("1"), "bold: \(look.debugDescription)")
                #expect(look.contains(colour + "m"), "\(look.debugDescription) in \(running.debugDescription)")
            } else {
                #expect(!cells.contains("38;5;") && !cells.contains("[36m") && !cells.contains(";36m"), "\(cells.debugDescription)")
            }
        }
    }

    /// A key remapped in the config file does its new action, its old key does nothing, and the footer and the
    /// help show the new key.
    @Test func aRemappedKeyDoesItsNewAction() async throws {
        let config = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
        try "keys:\n  cancel: [d, Delete]\n  help: H\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await withTUI(arguments: "--config \(config)", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            let screen = try await tui.waitFor("e2e unsupported", timeout: 60)
            #expect(screen.contains("d cancel") && !screen.contains("x cancel"), "\(screen)")
            try tui.send("x", "?")
            try await Task.sleep(for: .milliseconds(500))
            let unchanged = try tui.screen()
            #expect(!unchanged.contains("Cancel 1 operation") && !unchanged.contains("Keys"), "x and ? are no longer bound: \(unchanged)")
            try tui.send("H")
            let help = try await tui.waitFor { $0.contains("Keys") && $0.contains("cancel the marked rows") } // the whole frame, not one drawn halfway
            #expect(help.contains("d/Del") && help.contains("cancel the marked rows"), "\(help)")
            try tui.send("Escape", "d")
            let dialog = try await tui.waitFor("Cancel 1 operation")
            #expect(dialog.contains("[ No ]"), "\(dialog)")
            try tui.send("n")
        }
    }

    /// Plugins from the config file: one in the background writes the marked rows' names and ids to a file and
    /// its status reaches the event line; one that asks first takes the terminal, reads a line from it, and gives
    /// it back.
    @Test func pluginsRunOverTheChosenRows() async throws {
        let folder = NSTemporaryDirectory() + "eeops-plugins-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = folder + "/config.yaml"
        try """
            plugins:
              - name: note ids
                key: U
                command: 'printf "%s\\n" "$@" > \(folder)/names; printf "%s" "$EEOPS_IDS" > \(folder)/ids'
                background: true
              - name: look
                key: K
                command: 'printf "looking at %s; say something: " "$EEOPS_COUNT"; read answer; printf "%s %s" "$EEOPS_NAME" "$answer" > \(folder)/looked'
                confirm: true
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try await withTUI(columns: 120, arguments: "--config \(config)", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            _ = try await tui.waitFor("e2e unsupported", timeout: 60)
            try tui.send("/")
            try tui.send("e2e c", literal: true)
            try tui.send("Enter", "*", "U")
            _ = try await tui.waitFor("note ids: done (exit status 0)")
            let names = try String(contentsOfFile: folder + "/names", encoding: .utf8).split(separator: "\n").sorted()
            #expect(names == ["projects/\(Self.project)/operations/E2EAAAAAAAAAAAAAAAAAAAAA", "projects/\(Self.project)/operations/E2EBBBBBBBBBBBBBBBBBBBBB"].sorted(), "\(names)")
            let ids = try String(contentsOfFile: folder + "/ids", encoding: .utf8).split(separator: "\n").sorted()
            #expect(ids == ["E2EAAAAAAAAAAAAAAAAAAAAA", "E2EBBBBBBBBBBBBBBBBBBBBB"], "\(ids)")
            try tui.send("u", "K")
            _ = try await tui.waitFor("Run look on 1 operation?")
            try tui.send("y")
            // The command has the terminal: it reads what is typed (a command in a process group of its own would
            // be stopped by the terminal here, and eeops would wait for ever).
            _ = try await tui.waitFor { $0.contains("looking at 1; say something:") && !$0.contains("e2e cancels") }
            try tui.send("hello", literal: true)
            try tui.send("Enter")
            let back = try await tui.waitFor { $0.contains("look: done (exit status 0)") && $0.contains("e2e cancels") }
            #expect(back.contains("e2e completes anyway"), "the screen is drawn whole again: \(back)")
            let looked = try String(contentsOfFile: folder + "/looked", encoding: .utf8)
            #expect(looked.hasPrefix("projects/\(Self.project)/operations/E2E") && looked.hasSuffix(" hello"), "\(looked)")
        }
    }
}

extension TmuxEndToEndTests {
    /// Named views from the config file: `--view` opens on one (its name in the header, its columns in the
    /// headings, its rows), `V` shows the next, and the column chooser hides a column of the table behind it.
    @Test func namedViewsAndTheColumnChooser() async throws {
        let config = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
        try """
            views:
              active:
                activeOnly: true
                columns: [description, state, id]
              done:
                states: [succeeded]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try await withTUI(columns: 120, arguments: "--config \(config) --view active", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            let screen = try await tui.waitFor("e2e unsupported", timeout: 60)
            #expect(screen.contains("view active") && screen.contains("active only"), "\(screen)")
            let headings = try #require(screen.split(separator: "\n").first { $0.contains("DESCRIPTION") })
            #expect(headings.range(of: "DESCRIPTION")!.lowerBound < headings.range(of: "STATE")!.lowerBound, "\(headings)")
            #expect(!headings.contains("PROG") && !screen.contains("not part of it"), "\(screen)")
            try tui.send("V")
            let done = try await tui.waitFor { $0.contains("view done") && $0.contains("not part of it") }
            #expect(!done.contains("e2e cancels") && done.contains("PROGRESS"), "\(done)")
            try tui.send("V", "V", "o")
            _ = try await tui.waitFor("Columns of view active")
            try tui.send("Space", "Escape")
            let hidden = try await tui.waitFor { !$0.contains("Columns of view") && $0.contains("view active") }
            #expect(!hidden.contains("DESCRIPTION") && !hidden.contains("e2e cancels") && hidden.contains("E2EAAAAA"), "the description is hidden: \(hidden)")
        }
    }
}

extension TmuxEndToEndTests {
    /// A SIGTERM while a foreground plugin's command has the terminal is passed on to it; when the command ignores
    /// it and a Ctrl-C then ends the command, eeops still ends for the SIGTERM (the Ctrl-C, the command's, does not
    /// replace it), with the terminal restored.
    @Test func aTerminationDuringAPluginSurvivesAControlC() async throws {
        let config = NSTemporaryDirectory() + "eeops-config-\(UUID().uuidString).yaml"
        try """
            plugins:
              - name: stubborn
                key: U
                command: "trap '' TERM; echo stubborn is running; sleep 30"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try await withTUI(arguments: "--config \(config)", operations: Self.threeKinds) { fixture in
            let tui = fixture.session
            _ = try await tui.waitFor("e2e unsupported", timeout: 60)
            try tui.send("U")
            _ = try await tui.waitFor("stubborn is running")
            let pid = try #require(try tui.commandPID())
            #expect(kill(pid, SIGTERM) == 0)
            try await Task.sleep(for: .milliseconds(300))
            try tui.send("C-c")
            let after = try await tui.waitFor("EXIT=")
            #expect(after.contains("EXIT=130"), "\(after)")
            #expect(try tui.display("#{alternate_on}") == "0", "alternate screen left")
        }
    }
}

extension TmuxEndToEndTests {
    /// Two projects in one table: both projects' rows with their project, the header's count of each, and a
    /// cancel of the second project's row that goes RUNNING → CANCELLING → CANCELLED like any other.
    @Test func severalProjectsShareOneTable() async throws {
        let second = "second-tui-project"
        try await withTUI(columns: 140, arguments: "--project \(Self.project) --project \(second)",
                          operations: [#"{"id":"FIRSTAAAAAAAAAAAAAAAAAAA","description":"first project's","state":"SUCCEEDED"}"#],
                          configure: { $0.projects.append(second) }) { fixture in
            let url = URL(string: fixture.emulator.baseURL + "/_emulator/projects/\(second)/operations")!
            _ = try await ControlClient.post(url: url, body: #"{"id":"SECONDBBBBBBBBBBBBBBBBBB","description":"second project's","cancel":"cancels"}"#)
            let tui = fixture.session
            let screen = try await tui.waitFor(timeout: 60) { $0.contains("SECONDBBB") && $0.contains("FIRSTAAAA") }
            #expect(screen.contains("\(Self.project) 0/1") && screen.contains("\(second) 1/1"), "\(screen)")
            #expect(row("SECONDBB", in: screen).contains(second) && row("FIRSTAAA", in: screen).contains(Self.project), "\(screen)")
            try tui.send("/")
            try tui.send("second", literal: true)
            try tui.send("Enter", "x")
            _ = try await tui.waitFor("Cancel 1 operation in \(second)?")
            try tui.send("y")
            _ = try await tui.waitFor { row("SECONDBB", in: $0).contains("RUNNING → CANCELLING") }
            try await fixture.advance(seconds: 5)
            let ended = try await tui.waitFor { row("SECONDBB", in: $0).contains("CANCELLING → CANCELLED") }
            #expect(row("SECONDBB", in: ended).contains("cancelled"), "\(ended)")
        }
    }
}
