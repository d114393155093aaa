import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsConfig
import OperationsTUI

/// `--config FILE`: which config file to read.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("Config file (else EEOPS_CONFIG, else $XDG_CONFIG_HOME/eeops/config.yaml or ~/.config/eeops/config.yaml; docs/config.md).", valueName: "file"))
    var path: String?

    /// The config file, checked; nil when there is none at the default place. A file the user named that is
    /// missing, or any error in a file, is a configuration error (status 64) naming the file, line and key.
    func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(OperationsError) -> ConfigFile? {
        let location = location(environment: environment)
        do {
            return try ConfigFile.load(path: location.path, mustExist: location.named)
        } catch {
            throw OperationsError.configuration("config file " + error.description)
        }
    }

    func location(environment: [String: String] = ProcessInfo.processInfo.environment) -> (path: String, source: String, named: Bool) {
        ConfigFile.location(flag: path, environment: environment, homeDirectory: SettingsResolver(environment: environment).homeDirectory)
    }
}

/// The settings a command uses, each from the first layer that sets it: its flag, then the environment, then the
/// config file, then the built-in default. `eeops config show` prints them with their sources.
struct SettingLayers {
    let file: ConfigFile?
    var environment: [String: String] = ProcessInfo.processInfo.environment

    typealias Resolved<Value: Sendable> = SettingsResolver.Resolved<Value>

    /// Where a value of the config file came from, as `FILE:LINE`.
    func source<Value>(_ located: Located<Value>) -> String { "\(file?.path ?? "config"):\(located.line)" }

    /// The flag's value, else the file's, else `defaultValue`.
    func value<Value: Sendable>(flag: Value?, _ flagName: String, file located: Located<Value>?, default defaultValue: Value) -> Resolved<Value> {
        if let flag { return Resolved(value: flag, source: flagName) }
        if let located { return Resolved(value: located.value, source: source(located)) }
        return Resolved(value: defaultValue, source: "default")
    }

    /// The projects to work on: every `--project` given, else `EEOPS_PROJECT` or `GOOGLE_CLOUD_PROJECT`, else the
    /// config file's `project` or `projects`, else the earthengine CLI's or gcloud's project. Nil when none
    /// names one. Each is a valid project id, named once.
    func projects(flags: [String]) throws(OperationsError) -> Resolved<[String]>? {
        let resolver = SettingsResolver(environment: environment)
        let found: Resolved<[String]>?
        if !flags.isEmpty {
            found = Resolved(value: flags, source: "--project")
        } else if let named = resolver.environmentProject() {
            found = Resolved(value: [named.value], source: named.source)
        } else if let project = file?.project {
            found = Resolved(value: [project.value], source: source(project))
        } else if let projects = file?.projects {
            found = Resolved(value: projects.value, source: source(projects))
        } else {
            found = resolver.toolProject().map { Resolved(value: [$0.value], source: $0.source) }
        }
        guard let found else { return nil }
        var unique: [String] = []
        for project in found.value where !unique.contains(project) {
            do { try ProjectID.validate(project) } catch { throw OperationsError.configuration("\(error.description) (from \(found.source))") }
            unique.append(project)
        }
        return Resolved(value: unique, source: found.source)
    }

    func endpoint(flag: String?) throws(OperationsError) -> Resolved<ServiceEndpoint> {
        let fromFile = file?.endpoint.map { Resolved(value: $0.value, source: source($0)) }
        return try SettingsResolver(environment: environment).endpoint(flag: flag, file: fromFile)
    }

    func apiVersion(flag: APIVersion?) -> Resolved<APIVersion> {
        value(flag: flag, "--api-version", file: file?.apiVersion, default: .v1)
    }

    func refresh(flag: Double?) -> Resolved<Double> { value(flag: flag, "--refresh", file: file?.refresh, default: 2) }

    func budget(flag: Double?) -> Resolved<Double> { value(flag: flag, "--budget", file: file?.budget, default: 10) }

    /// `--NAME` or `--no-NAME`, as the flag was given.
    private func spelled(_ name: String, _ flag: Bool?) -> String { flag == false ? "--no-\(name)" : "--\(name)" }

    func readonly(flag: Bool?) -> Resolved<Bool> { value(flag: flag, spelled("readonly", flag), file: file?.readonly, default: false) }

    func mouse(flag: Bool?) -> Resolved<Bool> { value(flag: flag, spelled("mouse", flag), file: file?.mouse, default: false) }

    /// `--ascii`/`--no-ascii`, else ASCII when the locale is not UTF-8 (whatever the file says), else the file.
    func ascii(flag: Bool?) -> Resolved<Bool> {
        if flag == nil, !LocaleCheck.isUTF8 { return Resolved(value: true, source: "the locale is not UTF-8") }
        return value(flag: flag, spelled("ascii", flag), file: file?.ascii, default: false)
    }

    /// `--color`/`--no-color`, else `NO_COLOR` (set and not empty: no colour), else the file, else colour.
    func color(flag: Bool?) -> Resolved<Bool> {
        if flag == nil, let noColor = environment["NO_COLOR"], !noColor.isEmpty { return Resolved(value: false, source: "NO_COLOR") }
        return value(flag: flag, spelled("color", flag), file: file?.color, default: true)
    }

    /// The view the TUI opens on: `--view`, else the file's `view:`, else `all`; a name the views do not have is a
    /// configuration error that lists them.
    func view(flag: String?) throws(OperationsError) -> Resolved<String> {
        let resolved = value(flag: flag, "--view", file: file?.view, default: NamedView.all.name)
        let names = (file?.viewCycle ?? [.all]).map(\.name)
        guard names.contains(resolved.value) else {
            throw OperationsError.configuration("--view: no view of that name; the views are: \(names.joined(separator: ", ")) (views: in the config file, docs/config.md)")
        }
        return resolved
    }

    /// `--theme`, else the file's, else `default`; ``Theme/mono`` when colour is off.
    func theme(flag: Theme?, color: Resolved<Bool>) -> Resolved<Theme> {
        if !color.value { return Resolved(value: .mono, source: color.source) }
        return value(flag: flag, "--theme", file: file?.theme, default: .default)
    }
}
