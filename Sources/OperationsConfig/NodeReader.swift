import EarthEngineOperations
import OperationsTUI
import Yams

/// Reads the config file's YAML nodes into typed values; each failure names the file, the line and the key.
struct NodeReader {
    let path: String

    func mapping(_ node: Node, key: String?) throws(ConfigError) -> Node.Mapping {
        guard case .mapping(let mapping) = node else {
            throw expected(key == nil ? "a mapping of settings (key: value)" : "a mapping (key: value)", key: key, node: node)
        }
        return mapping
    }

    /// A mapping key as a string, refused when it names a secret.
    func keyName(_ node: Node, parent: String?) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw expected("a key", key: parent, node: node) }
        let name = scalar.string
        if SecretCheck.isSecretKey(name) || SecretCheck.isSecretValue(name) {
            // A key that is itself a token is not repeated.
            let shown = SecretCheck.isSecretValue(name) ? "(a key that looks like a secret)" : name
            throw ConfigError(path: path, line: node.mark?.line, key: parent.map { "\($0).\(shown)" } ?? shown, problem: SecretCheck.refusal)
        }
        return name
    }

    /// Refuses any text under `node` that looks like a token or a key (without repeating it).
    func refuseSecrets(_ node: Node, key: String) throws(ConfigError) {
        switch node {
        case .scalar(let scalar):
            if SecretCheck.isSecretValue(scalar.string) {
                throw ConfigError(path: path, line: node.mark?.line, key: key, problem: "this value looks like a token or a key. " + SecretCheck.refusal)
            }
        case .mapping(let mapping):
            for (name, value) in mapping {
                let nested = "\(key).\(name.string ?? "?")"
                _ = try keyName(name, parent: key)
                try refuseSecrets(value, key: nested)
            }
        case .sequence(let sequence):
            for item in sequence { try refuseSecrets(item, key: key) }
        case .alias:
            break
        }
    }

    func string(_ node: Node, key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw expected("a text", key: key, node: node) }
        return scalar.string
    }

    func bool(_ node: Node, key: String) throws(ConfigError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw expected("true or false", key: key, node: node) }
        return value
    }

    func validateProject(_ project: String, key: String, line: Int) throws(ConfigError) {
        do { try ProjectID.validate(project) } catch {
            throw ConfigError(path: path, line: line, key: key, problem: error.description)
        }
    }

    /// `theme: NAME`, or a mapping: `base: NAME` and `colors:` by role, each `fg`, `bg` and `bold`.
    func theme(_ node: Node, key: String) throws(ConfigError) -> Theme {
        let builtIn = Theme.builtIn.map(\.name).joined(separator: ", ")
        if case .scalar = node {
            let name = try string(node, key: key)
            guard let theme = Theme.named(name) else { throw expected("a theme: \(builtIn), or a mapping with base and colors", key: key, node: node) }
            return theme
        }
        var theme = Theme.default
        var colors: [CellStyle.Role: Theme.Colors] = [:]
        for (nameNode, value) in try mapping(node, key: key) {
            let name = try keyName(nameNode, parent: key)
            let nested = "\(key).\(name)"
            switch name {
            case "base":
                let base = try string(value, key: nested)
                guard let found = Theme.named(base) else { throw expected("one of \(builtIn)", key: nested, node: value) }
                theme = found
            case "colors":
                for (roleNode, roleValue) in try mapping(value, key: nested) {
                    let roleName = try keyName(roleNode, parent: nested)
                    guard let role = Theme.role(named: roleName) else {
                        throw unknownKey("\(nested).\(roleName)", line: roleNode.mark?.line, expected: CellStyle.Role.allCases.map { "\($0)" })
                    }
                    colors[role] = try roleColors(roleValue, key: "\(nested).\(roleName)")
                }
            default:
                throw unknownKey(nested, line: nameNode.mark?.line, expected: ["base", "colors"])
            }
        }
        for (role, value) in colors { theme.colors[role] = value }
        if !colors.isEmpty { theme.name += " with " + colors.keys.map { "\($0)" }.sorted().joined(separator: ", ") + " changed" }
        return theme
    }

    /// `keys:`: `ACTION: KEY` or `ACTION: [KEY, ...]`, the action of the table's or `CONTEXT.ACTION`, applied to
    /// the built-in table together (two actions may swap keys). A conflict is reported at the line of the last
    /// remap it involves.
    func keyMap(_ node: Node, key: String) throws(ConfigError) -> KeyMap {
        var remaps: [KeyMap.Remap] = []
        var places: [(key: String, line: Int?)] = []
        for (nameNode, value) in try mapping(node, key: key) {
            let name = try keyName(nameNode, parent: key)
            let nested = "\(key).\(name)"
            let line = nameNode.mark?.line
            let parts = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let contextName = parts.count == 2 ? parts[0] : "table"
            let actionName = parts.last ?? ""
            guard let context = KeyContext.allCases.first(where: { "\($0)" == contextName }) else {
                throw unknownKey(nested, line: line, expected: KeyContext.allCases.map { "\($0)" })
            }
            let actions = KeyMap.standard.all.filter { $0.context == context && !$0.anyKey }.map { "\($0.action)" }
            guard let action = Action.allCases.first(where: { "\($0)" == actionName }), actions.contains("\(action)") else {
                throw unknownKey(nested, line: line, expected: actions.map { context == .table ? $0 : "\(contextName).\($0)" })
            }
            let names: [Node]
            switch value {
            case .sequence(let sequence): names = Array(sequence)
            default: names = [value]
            }
            var keys: [Key] = []
            for keyNode in names {
                let text = try string(keyNode, key: nested)
                guard let parsed = KeyMap.key(named: text) else {
                    throw expected("a key: one character, or Space, Enter, Esc, Backspace, Delete, Tab, Up, Down, Left, Right, PgUp, PgDn, Home, End", key: nested, node: keyNode)
                }
                if !keys.contains(parsed) { keys.append(parsed) }
            }
            if keys.isEmpty { throw expected("at least one key", key: nested, node: value) }
            // `cancel` and `table.cancel` name one binding: the file must not give it twice.
            if let earlier = remaps.firstIndex(where: { $0.context == context && $0.action == action }) {
                throw ConfigError(path: path, line: line, key: nested,
                                  problem: "remaps the same action as \(places[earlier].key)\(places[earlier].line.map { " (line \($0))" } ?? ""); give it once")
            }
            remaps.append(KeyMap.Remap(context: context, action: action, keys: keys))
            places.append((nested, line))
        }
        do {
            return try KeyMap.standard.remapped(remaps)
        } catch {
            let culprit: Int? = switch error {
            case .conflict(let context, _, let first, let second):
                remaps.lastIndex { $0.context == context && ($0.action == first || $0.action == second) }
            case .unbound(let context, let action):
                remaps.lastIndex { $0.context == context && $0.action == action }
            case .typedInPrompt(let context, let typed):
                remaps.lastIndex { $0.context == context && $0.keys.contains(typed) }
            }
            let place: (key: String, line: Int?) = culprit.map { places[$0] } ?? (key, node.mark?.line)
            throw ConfigError(path: path, line: place.line, key: place.key, problem: error.description)
        }
    }

    /// `plugins:`, a list: each `name`, `key` and `command` (a list, the program and its first arguments; or a
    /// text, run by `sh -c` with the names as `$1`, `$2`, ...), and `confirm` and `background` (default false).
    func plugins(_ node: Node, key: String) throws(ConfigError) -> [Located<Plugin>] {
        guard case .sequence(let sequence) = node else { throw expected("a list of plugins", key: key, node: node) }
        var plugins: [Located<Plugin>] = []
        for item in sequence {
            let line = item.mark?.line ?? 1
            var name: String?, pluginKey: Key?, command: [String]?
            var confirm = false, background = false
            for (fieldNode, value) in try mapping(item, key: key) {
                let field = try keyName(fieldNode, parent: key)
                let nested = "\(key).\(field)"
                switch field {
                case "name": name = try string(value, key: nested)
                case "key":
                    let text = try string(value, key: nested)
                    guard let parsed = KeyMap.key(named: text) else { throw expected("a key: one character, or a name such as F or Enter", key: nested, node: value) }
                    pluginKey = parsed
                case "command":
                    switch value {
                    case .sequence(let words):
                        var argv: [String] = []
                        for word in words { argv.append(try string(word, key: nested)) }
                        if argv.isEmpty { throw expected("a program and its arguments", key: nested, node: value) }
                        command = argv
                    default:
                        command = ["/bin/sh", "-c", try string(value, key: nested), "eeops-plugin"]
                    }
                case "confirm": confirm = try bool(value, key: nested)
                case "background": background = try bool(value, key: nested)
                default: throw unknownKey(nested, line: fieldNode.mark?.line, expected: ["name", "key", "command", "confirm", "background"])
                }
            }
            guard let name, let pluginKey, let command else {
                let missing = [name == nil ? "name" : nil, pluginKey == nil ? "key" : nil, command == nil ? "command" : nil].compactMap { $0 }
                throw ConfigError(path: path, line: line, key: key, problem: "a plugin needs \(missing.joined(separator: ", "))")
            }
            if let other = plugins.first(where: { $0.value.key == pluginKey }) {
                throw ConfigError(path: path, line: line, key: "\(key).key", problem: "\(KeyMap.name(of: pluginKey)) already runs \(other.value.name) (line \(other.line))")
            }
            plugins.append(Located(Plugin(name: name, key: pluginKey, command: command, confirm: confirm, background: background), line: line))
        }
        return plugins
    }

    /// `views:`, a mapping of names to views, each with `filter`, `states`, `activeOnly`, `sort`, `ascending` and
    /// `columns`, all optional.
    func views(_ node: Node, key: String) throws(ConfigError) -> [Located<NamedView>] {
        var views: [Located<NamedView>] = []
        let fields = ["filter", "states", "activeOnly", "sort", "ascending", "columns"]
        for (nameNode, value) in try mapping(node, key: key) {
            let name = try keyName(nameNode, parent: key)
            let line = nameNode.mark?.line ?? 1
            guard Self.isViewName(name) else {
                // The name is not repeated: it may hold what a terminal should not be sent.
                throw ConfigError(path: path, line: line, key: key, problem: "a view's name is 1 to 32 letters, digits, '.', '_' or '-'")
            }
            var view = NamedView(name: name)
            var ascending: Bool?
            if value.null == nil {
                for (fieldNode, fieldValue) in try mapping(value, key: "\(key).\(name)") {
                    let field = try keyName(fieldNode, parent: "\(key).\(name)")
                    let nested = "\(key).\(name).\(field)"
                    switch field {
                    case "filter":
                        let text = try string(fieldValue, key: nested)
                        do { _ = try TextPattern(regex: text) } catch { throw expected("a text or a valid regular expression", key: nested, node: fieldValue) }
                        view.filterText = text
                    case "states":
                        guard case .sequence(let items) = fieldValue else { throw expected("a list of states", key: nested, node: fieldValue) }
                        for item in items {
                            let text = try string(item, key: nested)
                            guard let state = OperationState(userValue: text), OperationState.selectable.contains(state) else {
                                throw expected("states among \(OperationState.selectable.map { $0.apiValue.lowercased() }.joined(separator: ", "))", key: nested, node: item)
                            }
                            view.states.insert(state)
                        }
                    case "activeOnly": view.activeOnly = try bool(fieldValue, key: nested)
                    case "sort":
                        let text = try string(fieldValue, key: nested)
                        guard let sortKey = AppState.SortKey(rawValue: text) else {
                            throw expected("one of \(AppState.SortKey.allCases.map(\.rawValue).joined(separator: ", "))", key: nested, node: fieldValue)
                        }
                        view.sortKey = sortKey
                    case "ascending": ascending = try bool(fieldValue, key: nested)
                    case "columns":
                        guard case .sequence(let items) = fieldValue, !items.isEmpty else { throw expected("a list of columns", key: nested, node: fieldValue) }
                        var columns: [TableColumn] = []
                        for item in items {
                            let text = try string(item, key: nested)
                            guard let column = TableColumn(rawValue: text), column != .mark else {
                                throw unknownKey("\(nested).\(text)", line: item.mark?.line, expected: TableColumn.choosable.map(\.rawValue))
                            }
                            if columns.contains(column) { throw ConfigError(path: path, line: item.mark?.line, key: nested, problem: "'\(text)' is listed twice") }
                            columns.append(column)
                        }
                        view.columns = columns
                    default: throw unknownKey(nested, line: fieldNode.mark?.line, expected: fields)
                    }
                }
            }
            view.ascending = ascending ?? NamedView.startsAscending(view.sortKey)
            views.append(Located(view, line: line))
        }
        return views
    }

    /// A view's name: short, and typed on a command line without quoting.
    static func isViewName(_ name: String) -> Bool {
        (1...32).contains(name.count) && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }

    private func roleColors(_ node: Node, key: String) throws(ConfigError) -> Theme.Colors {
        var colors = Theme.Colors()
        for (nameNode, value) in try mapping(node, key: key) {
            let name = try keyName(nameNode, parent: key)
            switch name {
            case "fg", "bg":
                let text = try string(value, key: "\(key).\(name)")
                guard let color = TerminalColor(name: text) else {
                    throw expected("a colour: default, \(TerminalColor.names.joined(separator: ", ")), bright-NAME, or 0 to 255", key: "\(key).\(name)", node: value)
                }
                if name == "fg" { colors.foreground = color } else { colors.background = color }
            case "bold":
                colors.bold = try bool(value, key: "\(key).bold")
            default:
                throw unknownKey("\(key).\(name)", line: nameNode.mark?.line, expected: ["fg", "bg", "bold"])
            }
        }
        return colors
    }

    /// "expected X, not Y": a value of the wrong kind or out of range. A value that might be a secret is not repeated.
    func expected(_ what: String, key: String?, node: Node) -> ConfigError {
        let found: String = switch node {
        case .scalar(let scalar): SecretCheck.isSecretValue(scalar.string) ? "a value that looks like a secret" : (scalar.string.isEmpty ? "nothing" : "'\(scalar.string.prefix(60))'")
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
        return ConfigError(path: path, line: node.mark?.line, key: key, problem: "expected \(what), not \(found)")
    }

    /// An unknown key, with the nearest known one when it is a likely typo.
    func unknownKey(_ key: String, line: Int?, expected: [String]) -> ConfigError {
        let last = key.split(separator: ".").last.map(String.init) ?? key
        var problem = "unknown key; expected one of: \(expected.joined(separator: ", "))"
        if let nearest = expected.min(by: { Self.distance($0.lowercased(), last.lowercased()) < Self.distance($1.lowercased(), last.lowercased()) }),
           Self.distance(nearest.lowercased(), last.lowercased()) <= 2 {
            problem = "unknown key (did you mean '\(nearest)'?); expected one of: \(expected.joined(separator: ", "))"
        }
        return ConfigError(path: path, line: line, key: key, problem: problem)
    }

    /// Levenshtein distance, for the suggestion.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// What a secret looks like in a config file: a key named for one, or a value shaped like Google's tokens and keys.
enum SecretCheck {
    static let refusal = "eeops never reads tokens or keys from its config file; use --access-token-file, EEOPS_ACCESS_TOKEN, --service-account-file (GOOGLE_APPLICATION_CREDENTIALS) or gcloud's login (docs/config.md)"

    /// Key names that hold secrets, compared without case, `-` or `_`.
    static func isSecretKey(_ name: String) -> Bool {
        let folded = name.lowercased().filter { $0 != "-" && $0 != "_" }
        return ["token", "secret", "password", "passwd", "privatekey", "apikey", "credential", "accesskey", "clientkey"].contains { folded.contains($0) }
    }

    /// Text holding, anywhere, an OAuth access token (`ya29.`), a refresh token (`1//0`), an API key (`AIza` and 35
    /// more), an OAuth client secret (`GOCSPX-`), or a PEM private key.
    static func isSecretValue(_ value: String) -> Bool {
        if value.contains("ya29.") || value.contains("1//0") || value.contains("GOCSPX-") { return true }
        if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") { return true }
        return value.contains(/AIza[0-9A-Za-z_\-]{35}/)
    }
}
