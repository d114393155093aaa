import Foundation

/// Finds the project, endpoint and credentials a command should use, from flags, the environment and
/// the configuration files of the official tools, in the documented order.
public struct SettingsResolver: Sendable {
    public var environment: [String: String]
    public var homeDirectory: String

    /// - Parameter homeDirectory: defaults to `$HOME`, else the account's home directory.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, homeDirectory: String? = nil) {
        self.environment = environment
        self.homeDirectory = homeDirectory ?? environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    /// Where a setting came from, for `auth status` and error messages.
    public struct Resolved<Value: Sendable>: Sendable {
        public var value: Value
        public var source: String
        public init(value: Value, source: String) {
            self.value = value
            self.source = source
        }
    }

    /// The project the environment names: `EEOPS_PROJECT`, else `GOOGLE_CLOUD_PROJECT`; nil when neither is set.
    public func environmentProject() -> Resolved<String>? {
        for variable in ["EEOPS_PROJECT", "GOOGLE_CLOUD_PROJECT"] {
            if let value = environment[variable], !value.isEmpty { return Resolved(value: value, source: variable) }
        }
        return nil
    }

    /// The project the other tools name: the `project` in the earthengine CLI's credentials file, else gcloud's
    /// active configuration; nil when neither does.
    public func toolProject() -> Resolved<String>? {
        let earthengine = configDirectory + "/earthengine/credentials"
        if let file = try? CredentialFile(path: earthengine),
           let object = try? JSONSerialization.jsonObject(with: file.contents) as? [String: Any],
           let project = object["project"] as? String, !project.isEmpty {
            return Resolved(value: project, source: earthengine)
        }
        if let project = gcloudProject() { return project }
        return nil
    }

    /// `--endpoint`, else `EEOPS_ENDPOINT`, else eeops's config file (`file`), else production.
    public func endpoint(flag: String?, file: Resolved<String>? = nil) throws(OperationsError) -> Resolved<ServiceEndpoint> {
        if let flag, !flag.isEmpty { return Resolved(value: try ServiceEndpoint(flag), source: "--endpoint") }
        if let value = environment["EEOPS_ENDPOINT"], !value.isEmpty { return Resolved(value: try ServiceEndpoint(value), source: "EEOPS_ENDPOINT") }
        if let file { return Resolved(value: try ServiceEndpoint(file.value), source: file.source) }
        return Resolved(value: .production, source: "default")
    }

    /// `$CLOUDSDK_CONFIG` or `~/.config/gcloud`'s active configuration, `[core] project = ...`.
    private func gcloudProject() -> Resolved<String>? {
        let directory = gcloudDirectory
        let active = environment["CLOUDSDK_ACTIVE_CONFIG_NAME"]
            ?? (try? String(contentsOfFile: directory + "/active_config", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            ?? "default"
        let path = "\(directory)/configurations/config_\(active)"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var section = ""
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
            } else if section == "core", let equals = line.firstIndex(of: "=") {
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if key == "project", !value.isEmpty { return Resolved(value: value, source: path) }
            }
        }
        return nil
    }

    /// gcloud's configuration folder: `$CLOUDSDK_CONFIG`, else `~/.config/gcloud`.
    var gcloudDirectory: String {
        environment["CLOUDSDK_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? configDirectory + "/gcloud"
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`: where the official tools keep their configuration.
    var configDirectory: String {
        environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeDirectory + "/.config"
    }
}
