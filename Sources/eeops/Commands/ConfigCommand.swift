import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// `eeops config`: the config file and the settings in force.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "The config file and the settings in force.",
        discussion: "See docs/config.md for the file's keys, with an annotated example.",
        subcommands: [ConfigShowCommand.self]
    )
}

/// `eeops config show`: each setting, its value, and where it came from.
struct ConfigShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the settings in force and where each came from: a flag, the environment, the config file (with its line), or the default.",
        discussion: "Takes the same flags as the commands, so that their effect can be seen. Credentials are not read: a project named only by a key file's project_id is not shown."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var polling: PollingOptions
    @OptionGroup var display: DisplayOptions

    @Option(name: .long, help: "Output format: table or json.")
    var format: ConfigFormat = .table

    enum ConfigFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    func run() throws {
        let rows: [(setting: String, value: String, source: String)]
        do { rows = try settings() } catch { throw fail(error) }
        switch format {
        case .table:
            let width = (rows.map(\.setting.count).max() ?? 0) + 2
            let valueWidth = min(48, (rows.map { TerminalText.width(TerminalText.sanitize($0.value)) }.max() ?? 0) + 2)
            var text = "SETTING".padding(toLength: width, withPad: " ", startingAt: 0) + TerminalText.fit("VALUE", to: valueWidth) + "SOURCE\n"
            for row in rows {
                text += row.setting.padding(toLength: width, withPad: " ", startingAt: 0)
                text += TerminalText.fit(TerminalText.sanitize(row.value), to: valueWidth) + TerminalText.sanitize(row.source) + "\n"
            }
            StandardStream.output.write(text)
        case .json:
            var writer = JSONWriter(pretty: true)
            writer.beginObject()
            for row in rows {
                writer.key(row.setting)
                writer.beginObject()
                writer.key("value"); writer.string(row.value)
                writer.key("source"); writer.string(row.source)
                writer.endObject()
            }
            writer.endObject()
            StandardStream.output.write(String(decoding: writer.bytes, as: UTF8.self) + "\n")
        }
    }

    /// The rows, in the order docs/config.md lists the keys.
    func settings() throws(OperationsError) -> [(setting: String, value: String, source: String)] {
        let location = global.config.location()
        let layers = SettingLayers(file: try global.config.load())
        let file = layers.file == nil ? "\(location.path) (none)" : location.path
        let project = try layers.projects(flags: global.project)
        let endpoint = try layers.endpoint(flag: global.endpoint)
        let apiVersion = layers.apiVersion(flag: global.apiVersion)
        let refresh = layers.refresh(flag: polling.refresh)
        let budget = layers.budget(flag: polling.budget)
        let readonly = layers.readonly(flag: display.readonly)
        let mouse = layers.mouse(flag: display.mouse)
        let ascii = layers.ascii(flag: display.ascii)
        let color = layers.color(flag: display.color)
        let theme = layers.theme(flag: display.theme, color: color)
        let view = try layers.view(flag: display.view)
        let views = layers.file?.viewCycle ?? [.all]
        return [
            ("config", file, location.source),
            ("project", project?.value.joined(separator: ",") ?? "(none)", project?.source ?? "not set anywhere"),
            ("endpoint", endpoint.value.baseURL, endpoint.source),
            ("apiVersion", apiVersion.value.rawValue, apiVersion.source),
            ("refresh", Self.number(refresh.value), refresh.source),
            ("budget", Self.number(budget.value), budget.source),
            ("readonly", "\(readonly.value)", readonly.source),
            ("mouse", "\(mouse.value)", mouse.source),
            ("ascii", "\(ascii.value)", ascii.source),
            ("color", "\(color.value)", color.source),
            ("theme", theme.value.name, theme.source),
            ("keys", layers.file?.keys.map { _ in "remapped" } ?? "standard", layers.file?.keys.map { layers.source($0) } ?? "default"),
            ("views", views.map(\.name).joined(separator: ","), layers.file?.views.first.map { layers.source($0) } ?? "default"),
            ("view", view.value, view.source),
        ]
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
