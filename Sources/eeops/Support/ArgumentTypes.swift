import ArgumentParser
import EarthEngineOperations
import OperationsPresentation
import OperationsTUI

// The command line's value types: each option is parsed once, into its type, and help and the shell completions
// list the choices. These types belong to eeops's own modules; only the command line needs them to be arguments.

extension ListFormat: ExpressibleByArgument {}

extension APIVersion: ExpressibleByArgument {}

extension CredentialSource: ExpressibleByArgument {}

extension Theme: ExpressibleByArgument {
    /// A built-in theme by name: `default`, `mono`, `high-contrast`.
    public init?(argument: String) {
        guard let theme = Theme.named(argument) else { return nil }
        self = theme
    }

    public static var allValueStrings: [String] { Theme.builtIn.map(\.name) }
}

extension OperationState: ExpressibleByArgument {
    /// A state as users type it, in any case: `running`, `SUCCEEDED`.
    public init?(argument: String) { self.init(userValue: argument) }

    public static var allValueStrings: [String] {
        OperationState.selectable.map(\.apiValue)
    }
}

/// The format of the commands that print one line per event (`cancel`, `watch`).
enum EventFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    case text, jsonl
}

/// A duration typed on the command line, such as `30s`, `5m`, `1h30m` or `2d`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let duration: Duration

    init?(argument: String) {
        guard let duration = DurationText.parse(argument) else { return nil }
        self.duration = duration
    }
}

/// How often the live views (the TUI, `watch`) refresh, and the request rate they may spend doing it.
struct PollingOptions: ParsableArguments {
    @Option(name: .long, help: "Seconds between refreshes (stretched when the request budget requires), 0.2 to 3600 (else the config file's refresh; default 2).")
    var refresh: Double?

    @Option(name: .long, help: "Average requests per second the live updates may spend (at most 100; else the config file's budget; default 10).")
    var budget: Double?

    func validate() throws {
        if let refresh { guard refresh >= 0.2, refresh <= 3600 else { throw ValidationError("invalid --refresh \(refresh): expected 0.2 to 3600 seconds") } }
        if let budget { try RequestBudget.validate(budget) }
    }

    /// The poller's settings: these flags, else the config file's, else the defaults.
    func configuration(_ settings: SettingLayers) -> PollerConfiguration {
        let refresh = settings.refresh(flag: refresh).value
        return PollerConfiguration(interval: .milliseconds(Int64((refresh * 1000).rounded())), requestBudget: settings.budget(flag: budget).value)
    }
}

/// The requests per second a command may spend on average: more than 0, at most the API's 100.
enum RequestBudget {
    static func validate(_ budget: Double) throws {
        guard budget > 0, budget <= 100 else { throw ValidationError("invalid --budget \(budget): expected more than 0 and at most 100") }
    }
}
