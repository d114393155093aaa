import EarthEngineOperations
import Foundation
import OperationsTUI
import Yams

/// A value of the config file and the line it was read from.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var line: Int

    public init(_ value: Value, line: Int) {
        self.value = value
        self.line = line
    }
}

/// eeops's config file (`config.yaml`, docs/config.md), read and checked: every key is known and every value of
/// its type, or loading fails with the file, the line and the key. Tokens and keys never live in it: a key or a
/// value that looks like a secret is refused.
public struct ConfigFile: Sendable {
    public var path: String
    public var project: Located<String>?
    /// `projects:`, a list; one project at most until several are supported (the file says which line).
    public var projects: Located<[String]>?
    public var endpoint: Located<String>?
    public var apiVersion: Located<APIVersion>?
    public var refresh: Located<Double>?
    public var budget: Located<Double>?
    public var readonly: Located<Bool>?
    public var mouse: Located<Bool>?
    public var ascii: Located<Bool>?
    public var color: Located<Bool>?
    public var theme: Located<Theme>?
    /// The key table with `keys:`'s remaps applied.
    public var keys: Located<KeyMap>?
    /// `plugins:`, each with its line.
    public var plugins: [Located<Plugin>] = []
    /// `views:`, in the file's order, each with its line.
    public var views: [Located<NamedView>] = []
    /// `view:`, the view the TUI opens on: one of `views:`, or `all`.
    public var view: Located<String>?

    public init(path: String) {
        self.path = path
    }

    /// The top-level keys, in the order docs/config.md explains them.
    public static let topLevelKeys = ["project", "projects", "endpoint", "apiVersion", "refresh", "budget", "readonly", "mouse", "ascii", "color", "theme", "keys", "plugins", "views", "view"]

    /// A config file larger than this is not one (a wrong path, most likely).
    static let sizeLimit = 1 << 20

    /// Where the config file is: `--config`, else `EEOPS_CONFIG`, else `$XDG_CONFIG_HOME/eeops/config.yaml`, else
    /// `~/.config/eeops/config.yaml`. `named` when the user named it, so that its absence is an error.
    public static func location(flag: String?, environment: [String: String], homeDirectory: String) -> (path: String, source: String, named: Bool) {
        if let flag, !flag.isEmpty { return (flag, "--config", true) }
        if let path = environment["EEOPS_CONFIG"], !path.isEmpty { return (path, "EEOPS_CONFIG", true) }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeDirectory + "/.config"
        return (base + "/eeops/config.yaml", "default", false)
    }

    /// Reads and checks the file at `path`; nil when it does not exist and `mustExist` is false.
    public static func load(path: String, mustExist: Bool) throws(ConfigError) -> ConfigFile? {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                throw ConfigError(path: path, line: nil, key: nil, problem: "is a folder, not a config file")
            }
            if let size = attributes[.size] as? Int, size > sizeLimit {
                throw ConfigError(path: path, line: nil, key: nil, problem: "is \(size) bytes: a config file is at most \(sizeLimit) bytes")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as ConfigError {
            throw error
        } catch {
            if !FileManager.default.fileExists(atPath: path) {
                if !mustExist { return nil }
                throw ConfigError(path: path, line: nil, key: nil, problem: "no such file")
            }
            throw ConfigError(path: path, line: nil, key: nil, problem: "cannot be read (\((error as NSError).localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, line: nil, key: nil, problem: "is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Reads and checks config text; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> ConfigFile {
        var file = ConfigFile(path: path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.error(error, path: path)
        } catch {
            throw ConfigError(path: path, line: nil, key: nil, problem: "is not YAML")
        }
        guard let root, root.null == nil else { return file } // empty, only comments, or an empty document
        let reader = NodeReader(path: path)
        let top = try reader.mapping(root, key: nil)
        for (keyNode, value) in top {
            let key = try reader.keyName(keyNode, parent: nil)
            let line = keyNode.mark?.line ?? 1
            try reader.refuseSecrets(value, key: key)
            switch key {
            case "project":
                let project = try reader.string(value, key: key)
                try reader.validateProject(project, key: key, line: line)
                file.project = Located(project, line: line)
            case "projects":
                guard case .sequence(let sequence) = value else { throw reader.expected("a list of project ids", key: key, node: value) }
                var projects: [String] = []
                for item in sequence {
                    let project = try reader.string(item, key: key)
                    try reader.validateProject(project, key: key, line: item.mark?.line ?? line)
                    if projects.contains(project) { throw ConfigError(path: path, line: item.mark?.line ?? line, key: key, problem: "'\(project)' is listed twice") }
                    projects.append(project)
                }
                if projects.isEmpty { throw reader.expected("at least one project id", key: key, node: value) }
                file.projects = Located(projects, line: line)
            case "endpoint":
                let endpoint = try reader.string(value, key: key)
                // The reason, without the value: an endpoint may carry credentials (user:password@, ?key=).
                do { _ = try ServiceEndpoint(endpoint) } catch {
                    let problem = error.description.contains("plain HTTP")
                        ? "plain http:// is only for loopback endpoints (127.0.0.0/8, ::1, localhost); use https://"
                        : "expected a URL of scheme, host and port only, such as https://earthengine.googleapis.com"
                    throw ConfigError(path: path, line: line, key: key, problem: problem)
                }
                file.endpoint = Located(endpoint, line: line)
            case "apiVersion":
                let text = try reader.string(value, key: key)
                guard let version = APIVersion(rawValue: text) else {
                    throw reader.expected("one of \(APIVersion.allCases.map(\.rawValue).joined(separator: ", "))", key: key, node: value)
                }
                file.apiVersion = Located(version, line: line)
            case "refresh":
                guard let seconds = value.float, seconds.isFinite, seconds >= 0.2, seconds <= 3600 else {
                    throw reader.expected("a number of seconds from 0.2 to 3600", key: key, node: value)
                }
                file.refresh = Located(seconds, line: line)
            case "budget":
                guard let budget = value.float, budget.isFinite, budget > 0, budget <= 100 else {
                    throw reader.expected("requests per second, more than 0 and at most 100", key: key, node: value)
                }
                file.budget = Located(budget, line: line)
            case "readonly": file.readonly = Located(try reader.bool(value, key: key), line: line)
            case "mouse": file.mouse = Located(try reader.bool(value, key: key), line: line)
            case "ascii": file.ascii = Located(try reader.bool(value, key: key), line: line)
            case "color": file.color = Located(try reader.bool(value, key: key), line: line)
            case "theme": file.theme = Located(try reader.theme(value, key: key), line: line)
            case "keys": file.keys = Located(try reader.keyMap(value, key: key), line: line)
            case "plugins": file.plugins = try reader.plugins(value, key: key)
            case "views": file.views = try reader.views(value, key: key)
            case "view": file.view = Located(try reader.string(value, key: key), line: line)
            default:
                throw reader.unknownKey(key, line: line, expected: topLevelKeys)
            }
        }
        // A plugin's key must not be one the key table (with its remaps) already binds in the table.
        let table = file.keys?.value ?? .standard
        for plugin in file.plugins {
            if let action = table.action(for: plugin.value.key, in: .table, readOnly: false) {
                throw ConfigError(path: path, line: plugin.line, key: "plugins.key",
                                  problem: "\(KeyMap.name(of: plugin.value.key)) already does \(action) in the table; choose another key for \(plugin.value.name) (or remap \(action) under keys)")
            }
        }
        if let view = file.view, !file.viewCycle.contains(where: { $0.name == view.value }) {
            throw ConfigError(path: path, line: view.line, key: "view",
                              problem: "no view of that name; expected one of: \(file.viewCycle.map(\.name).joined(separator: ", "))")
        }
        if let project = file.project, let projects = file.projects {
            throw ConfigError(path: path, line: max(project.line, projects.line), key: project.line > projects.line ? "project" : "projects",
                              problem: "give project or projects, not both (lines \(min(project.line, projects.line)) and \(max(project.line, projects.line)))")
        }
        return file
    }

    /// The views the TUI cycles through: the built-in `all` (unless the file redefines it), then the file's.
    public var viewCycle: [NamedView] { NamedView.cycle(views.map(\.value)) }

    /// Yams's error as one line: where, and libyaml's problem.
    private static func error(_ error: YamlError, path: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError(path: path, line: mark.line, key: nil, problem: "not valid YAML: \(problem) (column \(mark.column))")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(path: path, line: context.mark.line, key: duplicates.sorted().first,
                               problem: "set more than once in the same mapping: each key may appear once")
        case .reader(let problem, _, _, _):
            return ConfigError(path: path, line: nil, key: nil, problem: "not valid YAML: \(problem)")
        default:
            return ConfigError(path: path, line: nil, key: nil, problem: "not valid YAML")
        }
    }
}
