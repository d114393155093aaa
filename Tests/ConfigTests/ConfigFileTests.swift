import EarthEngineOperations
import Foundation
import Testing
@testable import OperationsConfig
@testable import OperationsTUI

/// docs/config.md, from the source tree.
func configDocs() throws -> String {
    let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/config.md")
    return try String(contentsOf: docs, encoding: .utf8)
}

/// The config file, read and checked: every setting of docs/config.md's example, and each error naming the file,
/// the line and the key, one by one.
@Suite("The config file")
struct ConfigFileTests {
    static let path = "/home/me/.config/eeops/config.yaml"

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try ConfigFile.parse(text, path: Self.path)
            return nil
        } catch {
            return error
        }
    }

    @Test func everySettingIsReadWithItsLine() throws {
        let file = try ConfigFile.parse("""
            # my settings
            project: my-project
            endpoint: http://127.0.0.1:8080
            apiVersion: v1beta
            refresh: 5
            budget: 2.5
            readonly: true
            mouse: yes
            ascii: false
            color: true
            theme: high-contrast
            """, path: Self.path)
        #expect(file.project?.value == "my-project" && file.project?.line == 2)
        #expect(file.endpoint?.value == "http://127.0.0.1:8080" && file.endpoint?.line == 3)
        #expect(file.apiVersion?.value == .v1beta)
        #expect(file.refresh?.value == 5 && file.refresh?.line == 5)
        #expect(file.budget?.value == 2.5)
        #expect(file.readonly?.value == true && file.mouse?.value == true && file.ascii?.value == false && file.color?.value == true)
        #expect(file.theme?.value == Theme.highContrast && file.theme?.line == 11)
    }

    /// docs/config.md's annotated example is a valid file and sets what it says.
    @Test func theDocumentedExampleIsValid() throws {
        let text = try configDocs()
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let file = try ConfigFile.parse(String(text[start.upperBound..<end.lowerBound]), path: "docs/config.md")
        #expect(file.project?.value == "my-project" && file.apiVersion?.value == .v1 && file.refresh?.value == 2 && file.budget?.value == 10)
        #expect(file.theme?.value.colors[.running] == Theme.Colors(foreground: .index(45), bold: true))
        #expect(file.theme?.value.colors[.title] == Theme.Colors(foreground: .index(15), background: .index(24)))
        #expect(file.theme?.value.colors[.failed] == Theme.default.colors[.failed], "the base's other colours stay")
        #expect(file.viewCycle.map(\.name) == ["all", "running"] && file.view?.value == "all")
        // Every other example in the docs is a valid file too (the plugins among them).
        var rest = text[end.upperBound...]
        var examples = 0
        while let open = rest.range(of: "```yaml\n"), let close = rest.range(of: "```", range: open.upperBound..<rest.endIndex) {
            let example = try ConfigFile.parse(String(rest[open.upperBound..<close.lowerBound]), path: "docs/config.md")
            examples += 1
            if !example.plugins.isEmpty {
                #expect(example.plugins.map(\.value.name) == ["open script", "destinations", "resubmit"])
                #expect(example.plugins[2].value.command == ["~/bin/resubmit-exports", "--dry-run"] && example.plugins[2].value.confirm)
            }
            if example.views.count > 1 {
                #expect(example.viewCycle.map(\.name) == ["all", "running", "failed", "exports"] && example.view?.value == "running")
                #expect(example.views[1].value.states == [.failed, .cancelled] && !example.views[1].value.ascending)
                #expect(example.views[2].value.columns == [.description, .id, .state, .created])
            }
            rest = rest[close.upperBound...]
        }
        #expect(examples >= 2)
    }

    @Test func anEmptyFileOrOnlyCommentsSetsNothing() throws {
        for text in ["", "# nothing yet\n", "---\n"] {
            let file = try ConfigFile.parse(text, path: Self.path)
            #expect(file.project == nil && file.refresh == nil && file.theme == nil, "\(text.debugDescription)")
        }
    }

    @Test func aThemeIsABaseWithColoursChangedByRole() throws {
        let file = try ConfigFile.parse("""
            theme:
              base: mono
              colors:
                running: {fg: 45, bold: true}
                title: {fg: bright-white, bg: blue}
            """, path: Self.path)
        let theme = try #require(file.theme?.value)
        #expect(theme.colors[.running] == Theme.Colors(foreground: .index(45), bold: true))
        #expect(theme.colors[.title] == Theme.Colors(foreground: .index(15), background: .index(4)))
        #expect(theme.colors.count == 2, "mono has no colours of its own")
        #expect(theme.name == "mono with running, title changed")
    }

    /// Each mistake gives one error: the file, the line, the key, and what was expected.
    @Test(arguments: [
        ("refrsh: 3", 1, "refrsh", "did you mean 'refresh'?"),
        ("project: p\nrefresh: fast", 2, "refresh", "expected a number of seconds from 0.2 to 3600, not 'fast'"),
        ("refresh: 0.1", 1, "refresh", "expected a number of seconds from 0.2 to 3600, not '0.1'"),
        ("budget: 101", 1, "budget", "expected requests per second, more than 0 and at most 100, not '101'"),
        ("budget: 0", 1, "budget", "more than 0"),
        ("readonly: maybe", 1, "readonly", "expected true or false, not 'maybe'"),
        ("apiVersion: v2", 1, "apiVersion", "expected one of v1, v1beta, v1alpha, not 'v2'"),
        ("endpoint: http://example.com", 1, "endpoint", "loopback"),
        ("endpoint: https://me:hunter2@example.com/v1", 1, "endpoint", "scheme, host and port only"),
        ("project: My_Project", 1, "project", "lower-case"),
        ("project: [a, b]", 1, "project", "expected a text, not a list"),
        ("projects: [a, a]", 1, "projects", "'a' is listed twice"),
        ("projects: []", 1, "projects", "expected at least one project id"),
        ("project: a\nprojects: [b]", 2, "projects", "give project or projects, not both (lines 1 and 2)"),
        ("theme: neon", 1, "theme", "expected a theme: default, mono, high-contrast"),
        ("theme:\n  colors:\n    runing: {fg: red}", 3, "theme.colors.runing", "did you mean 'running'?"),
        ("theme:\n  colors:\n    running: {fg: chartreuse}", 3, "theme.colors.running.fg", "expected a colour"),
        ("theme:\n  colors:\n    running: {fg: 256}", 3, "theme.colors.running.fg", "expected a colour"),
        ("theme:\n  base: dark", 2, "theme.base", "expected one of default, mono, high-contrast"),
        ("- project: p", 1, nil, "expected a mapping of settings"),
        ("project: p\nproject: q", 1, "project", "set more than once"),
        ("project: [p\n", 2, nil, "not valid YAML"),
    ] as [(String, Int, String?, String)])
    func eachMistakeNamesTheLineAndTheKey(text: String, line: Int, key: String?, expected: String) throws {
        let error = try #require(self.error(text), "\(text) was accepted")
        #expect(error.path == Self.path)
        #expect(error.line == line, "\(error)")
        #expect(error.key == key, "\(error)")
        #expect(error.description.contains(expected), "\(error)")
        #expect(error.description.hasPrefix("\(Self.path):\(line): "))
    }

    /// Tokens and keys never live in the file: a key named for a secret, or a value shaped like one, is refused,
    /// and the error never repeats the value.
    @Test(arguments: [
        ("access_token: abc", "access_token"),
        ("project: p\nclient-secret: abc", "client-secret"),
        ("theme:\n  apiKey: x", "theme.apiKey"),
        ("project: ya29.a0AfH6SMBsecretsecret", "project"),
        ("endpoint: AIzaSyA-1234567890abcdefghijklmnopqrstu", "endpoint"),
        ("theme: |\n  -----BEGIN PRIVATE KEY-----\n  MIIE\n", "theme"),
        ("projects: ['1//0gsecret']", "projects"),
        ("endpoint: https://example.com/?key=AIzaSyA-1234567890abcdefghijklmnopqrstu", "endpoint"),
        ("plugins:\n  - name: a\n    key: U\n    command: \"curl -H 'Authorization: Bearer ya29.a0AfH6SMBsecretsecret' x\"", "plugins.command"),
        ("keys:\n  ya29.a0AfH6SMBsecretsecret: x", "keys.(a key that looks like a secret)"),
    ])
    func secretsAreRefused(text: String, key: String) throws {
        let error = try #require(self.error(text), "\(text) was accepted")
        #expect(error.key == key, "\(error)")
        #expect(error.description.contains("never reads tokens or keys"), "\(error)")
        for secret in ["abc", "a0AfH6SMBsecretsecret", "AIzaSyA-1234567890abcdefghijklmnopqrstu", "MIIE", "1//0gsecret"] {
            #expect(!error.description.contains(secret), "\(error)")
        }
    }

    /// `--config`, else `EEOPS_CONFIG`, else `$XDG_CONFIG_HOME/eeops/config.yaml`, else `~/.config/eeops/config.yaml`;
    /// a file the user named must exist, the default one may not.
    @Test func theFileIsFoundInTheDocumentedOrder() throws {
        let home = "/home/me"
        #expect(ConfigFile.location(flag: "/a.yaml", environment: ["EEOPS_CONFIG": "/b.yaml"], homeDirectory: home).path == "/a.yaml")
        #expect(ConfigFile.location(flag: nil, environment: ["EEOPS_CONFIG": "/b.yaml", "XDG_CONFIG_HOME": "/x"], homeDirectory: home).path == "/b.yaml")
        #expect(ConfigFile.location(flag: nil, environment: ["XDG_CONFIG_HOME": "/x"], homeDirectory: home).path == "/x/eeops/config.yaml")
        let fallback = ConfigFile.location(flag: nil, environment: ["XDG_CONFIG_HOME": ""], homeDirectory: home)
        #expect(fallback.path == "/home/me/.config/eeops/config.yaml" && !fallback.named)
        #expect(try ConfigFile.load(path: "/nonexistent/eeops/config.yaml", mustExist: false) == nil)
        #expect(throws: ConfigError(path: "/nonexistent/config.yaml", line: nil, key: nil, problem: "no such file")) {
            try ConfigFile.load(path: "/nonexistent/config.yaml", mustExist: true)
        }
    }
}

/// Themes: the built-in three, and colours fitted to terminals with fewer of them.
@Suite("Themes")
struct ThemeTests {
    @Test func colourNamesAndNumbersAreRead() {
        #expect(TerminalColor(name: "cyan") == .index(6))
        #expect(TerminalColor(name: "bright-red") == .index(9))
        #expect(TerminalColor(name: "BrightBlue") == .index(12))
        #expect(TerminalColor(name: "grey") == .index(8))
        #expect(TerminalColor(name: "default") == .terminalDefault)
        #expect(TerminalColor(name: "208") == .index(208))
        #expect(TerminalColor(name: "256") == nil && TerminalColor(name: "teal") == nil && TerminalColor(name: "-1") == nil)
    }

    /// On a terminal without 256 colours, a palette colour becomes the nearest of the 16; on one with 8, a bright
    /// colour becomes its plain form.
    @Test func paletteColoursFallBackToSixteenAndEight() {
        #expect(TerminalColor.index(196).fitted(toColors: 256) == .index(196))
        #expect(TerminalColor.index(196).fitted(toColors: 16) == .index(9), "pure red is bright red")
        #expect(TerminalColor.index(196).fitted(toColors: 8) == .index(1))
        #expect(TerminalColor.index(21).fitted(toColors: 16) == .index(4), "pure blue is xterm's blue")
        #expect(TerminalColor.index(232).fitted(toColors: 16) == .index(0), "the darkest grey is black")
        #expect(TerminalColor.index(255).fitted(toColors: 16) == .index(7), "the lightest grey is white")
        #expect(TerminalColor.index(231).fitted(toColors: 16) == .index(15), "the cube's white is bright white")
        #expect(TerminalColor.index(14).fitted(toColors: 8) == .index(6))
        #expect(TerminalColor.terminalDefault.fitted(toColors: 8) == .terminalDefault)
        let fitted = Theme.highContrast.colors(fittedTo: 8)
        #expect(fitted[.running]?.foreground == .index(6) && fitted[.running]?.bold == true)
    }

    @Test func builtInThemesAreFoundByName() {
        #expect(Theme.named("default") == .default)
        #expect(Theme.named("MONO") == .mono && !Theme.mono.usesColor)
        #expect(Theme.named("high-contrast") == .highContrast && !Theme.highContrast.dimsText)
        #expect(Theme.named("solarized") == nil)
        #expect(Theme.role(named: "Running") == .running && Theme.role(named: "runing") == nil)
    }
}

/// `keys:` remaps actions of the key table; the help and the hints show the new keys, and a key that would do two
/// things in one mode is reported at the line that causes it.
@Suite("Key remaps")
struct KeyRemapTests {
    func table(_ text: String) throws -> KeyMap {
        try #require(try ConfigFile.parse(text, path: "c.yaml").keys?.value)
    }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try ConfigFile.parse(text, path: "c.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func actionsTakeTheirNewKeysInEveryMode() throws {
        let keys = try table("""
            keys:
              cancel: [d, Delete]
              moveDown: [n, Down]
              detail.closeDetail: [Esc, h]
            """)
        #expect(keys.action(for: .character("d"), in: .table, readOnly: false) == .cancel)
        #expect(keys.action(for: .character("x"), in: .table, readOnly: false) == nil, "x no longer cancels")
        #expect(keys.action(for: .character("n"), in: .table, readOnly: false) == .moveDown)
        #expect(keys.action(for: .character("j"), in: .detail, readOnly: false) == .moveDown, "the detail view keeps its own")
        #expect(keys.action(for: .character("h"), in: .detail, readOnly: false) == .closeDetail)
        #expect(keys.bindings(.table, readOnly: false).first { $0.action == .cancel }?.label == "d/Del")
    }

    @Test func twoActionsMaySwapTheirKeys() throws {
        let keys = try table("keys:\n  quit: x\n  cancel: q\n")
        #expect(keys.action(for: .character("x"), in: .table, readOnly: false) == .quit)
        #expect(keys.action(for: .character("q"), in: .table, readOnly: false) == .cancel)
    }

    @Test(arguments: [
        ("keys:\n  cancel: q", 2, "keys.cancel", "q would both cancel and quit in the table"),
        ("keys:\n  mark: Enter\n  refresh: F", 2, "keys.mark", "Enter would both mark and details in the table"),
        ("keys:\n  cancle: d", 2, "keys.cancle", "did you mean 'cancel'?"),
        ("keys:\n  detail.cancel: d", 2, "keys.detail.cancel", "expected one of: detail.moveDown"),
        ("keys:\n  popup.quit: d", 2, "keys.popup.quit", "expected one of: table"),
        ("keys:\n  cancel: ctrl-x", 2, "keys.cancel", "expected a key"),
        ("keys:\n  \"\": x", 2, "keys.", "unknown key"),
        ("keys:\n  \".\": x", 2, "keys..", "unknown key"),
        ("keys:\n  detail.: x", 2, "keys.detail.", "unknown key"),
        ("keys:\n  cancel: []", 2, "keys.cancel", "expected at least one key"),
        ("keys:\n  filterPrompt.keepFilter: k", 2, "keys.filterPrompt.keepFilter", "k is typed into the filter"),
        ("keys: q", 1, "keys", "expected a mapping"),
        ("keys:\n  cancel: d\n  table.cancel: D", 3, "keys.table.cancel", "remaps the same action as keys.cancel (line 2); give it once"),
    ] as [(String, Int, String, String)])
    func conflictsAndMistakesAreReportedAtTheirLine(text: String, line: Int, key: String, expected: String) throws {
        let error = try #require(self.error(text), "\(text) was accepted")
        #expect(error.line == line && error.key == key, "\(error)")
        #expect(error.description.contains(expected), "\(error)")
    }

    /// docs/config.md names every action that can be remapped.
    @Test func theDocsNameEveryAction() throws {
        let text = try configDocs()
        for binding in KeyMap.standard.all where !binding.anyKey {
            #expect(text.contains("| `\(binding.action)` |"), "\(binding.context).\(binding.action) is not in docs/config.md")
        }
    }

    @Test func keysAreNamedAsTheHelpWritesThem() {
        #expect(KeyMap.key(named: "Space") == .character(" ") && KeyMap.key(named: "pgdn") == .pageDown)
        #expect(KeyMap.key(named: "X") == .character("X") && KeyMap.key(named: "\u{1B}") == nil && KeyMap.key(named: "ab") == nil)
        for key in [Key.character("x"), .character(" "), .enter, .escape, .delete, .pageUp, .home, .tab] {
            #expect(KeyMap.key(named: KeyMap.name(of: key)) == key, "\(key)")
        }
    }
}

/// `plugins:`, read and checked.
@Suite("Plugins in the config file")
struct PluginConfigTests {
    @Test func pluginsAreReadWithTheirLines() throws {
        let file = try ConfigFile.parse("""
            plugins:
              - name: destinations
                key: U
                command: [eeops, get, --format, json]
                background: true
              - name: resubmit
                key: R
                command: '~/bin/resubmit "$@"'
                confirm: true
            """, path: "c.yaml")
        #expect(file.plugins.map(\.line) == [2, 6])
        #expect(file.plugins[0].value == Plugin(name: "destinations", key: .character("U"), command: ["eeops", "get", "--format", "json"], background: true))
        #expect(file.plugins[1].value.command == ["/bin/sh", "-c", "~/bin/resubmit \"$@\"", "eeops-plugin"], "a text runs through sh, names as $1...")
        #expect(file.plugins[1].value.confirm && !file.plugins[1].value.background)
    }

    @Test(arguments: [
        ("plugins:\n  - name: a\n    key: x\n    command: [true]", 2, "plugins.key", "x already does cancel in the table"),
        ("keys:\n  cancel: d\nplugins:\n  - name: a\n    key: x\n    command: [true]", nil, nil, nil),
        ("plugins:\n  - name: a\n    key: U\n    command: [true]\n  - name: b\n    key: U\n    command: [false]", 5, "plugins.key", "U already runs a (line 2)"),
        ("plugins:\n  - name: a\n    key: U", 2, "plugins", "a plugin needs command"),
        ("plugins:\n  - name: a\n    key: U\n    command: []", 4, "plugins.command", "expected a program and its arguments"),
        ("plugins:\n  - name: a\n    key: U\n    command: [true]\n    shell: bash", 5, "plugins.shell", "expected one of: name, key, command, confirm, background"),
        ("plugins:\n  name: a", 2, "plugins", "expected a list of plugins"),
    ] as [(String, Int?, String?, String?)])
    func mistakesAreReported(text: String, line: Int?, key: String?, expected: String?) throws {
        do {
            let file = try ConfigFile.parse(text, path: "c.yaml")
            #expect(expected == nil, "\(text) was accepted")
            #expect(file.plugins.count == 1)
        } catch {
            #expect(error.line == line && error.key == key, "\(error)")
            #expect(error.description.contains(expected ?? "accepted"), "\(error)")
        }
    }
}

/// `views:` and `view:`, read and checked.
@Suite("Views in the config file")
struct ViewConfigTests {
    @Test func viewsAreReadInTheirOrderWithTheirLines() throws {
        let file = try ConfigFile.parse("""
            view: running
            views:
              running:
                activeOnly: true
                states: [running, PENDING]
                sort: eecu
                columns: [eecu, id, progress, description]
              failed-today:
                states: [failed]
                filter: export
                sort: description
              empty:
            """, path: "c.yaml")
        #expect(file.view?.value == "running" && file.view?.line == 1)
        #expect(file.views.map(\.line) == [3, 8, 12])
        #expect(file.views[0].value == NamedView(name: "running", states: [.running, .pending], activeOnly: true, sortKey: .eecu, ascending: false,
                                                 columns: [.eecu, .id, .progress, .description]))
        #expect(file.views[1].value.filterText == "export" && file.views[1].value.sortKey == .description && file.views[1].value.ascending,
                "a text sort starts A to Z unless ascending says otherwise")
        #expect(file.views[2].value == NamedView(name: "empty"))
        #expect(file.viewCycle.map(\.name) == ["all", "running", "failed-today", "empty"])
        // A view named all replaces the built-in one, where the file puts it.
        let redefined = try ConfigFile.parse("views:\n  mine: {activeOnly: true}\n  all: {columns: [id, state]}", path: "c.yaml")
        #expect(redefined.viewCycle.map(\.name) == ["mine", "all"] && redefined.viewCycle[1].columns == [.id, .state])
    }

    @Test(arguments: [
        ("views:\n  a:\n    colums: [id]", 3, "views.a.colums", "did you mean 'columns'?"),
        ("views:\n  a:\n    columns: [id, stat]", 3, "views.a.columns.stat", "did you mean 'state'?"),
        ("views:\n  a:\n    columns: [mark]", 3, "views.a.columns.mark", "expected one of: project, id, type"),
        ("views:\n  a:\n    columns: [id, id]", 3, "views.a.columns", "'id' is listed twice"),
        ("views:\n  a:\n    columns: []", 3, "views.a.columns", "expected a list of columns"),
        ("views:\n  a:\n    states: [done]", 3, "views.a.states", "expected states among pending, running"),
        ("views:\n  a:\n    sort: size", 3, "views.a.sort", "expected one of age, state, description, type, eecu"),
        ("views:\n  a:\n    filter: '(export'", 3, "views.a.filter", "expected a text or a valid regular expression"),
        ("views:\n  a:\n    activeOnly: maybe", 3, "views.a.activeOnly", "expected true or false"),
        ("views:\n  \"two words\": {}", 2, "views", "a view's name is 1 to 32 letters"),
        ("views:\n  - a", 2, "views", "expected a mapping"),
        ("view: nope\nviews:\n  a: {}", 1, "view", "no view of that name; expected one of: all, a"),
        ("view: all", nil, nil, nil),
    ] as [(String, Int?, String?, String?)])
    func mistakesAreReported(text: String, line: Int?, key: String?, expected: String?) throws {
        do {
            _ = try ConfigFile.parse(text, path: "c.yaml")
            #expect(expected == nil, "\(text) was accepted")
        } catch {
            #expect(error.line == line && error.key == key, "\(error)")
            #expect(error.description.contains(expected ?? "accepted"), "\(error)")
        }
    }
}
