import ArgumentParser
import EarthEngineOperations
import OperationsHistory

/// Where the commands that list or watch operations keep them (`--history FILE`), or that they keep none
/// (`--no-history`).
struct HistoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The local history of operations (default: $XDG_DATA_HOME/eeops/history.sqlite, else ~/.local/share/eeops/history.sqlite).", valueName: "file"))
    var history: String?

    @Flag(name: .customLong("no-history"), help: "Keep no local history of the operations listed or watched.")
    var noHistory = false

    func validate() throws {
        if noHistory && history != nil { throw ValidationError("give --history or --no-history, not both") }
        if history?.isEmpty == true { throw ValidationError("invalid --history: expected a file name") }
    }

    /// The history, or nil when it is turned off or cannot be used (then with one warning: eeops goes on
    /// without it).
    func open() -> OperationHistory? {
        guard !noHistory else { return nil }
        do {
            return try OperationHistory(path: HistoryLocation.path(flag: history))
        } catch {
            warnWithoutHistory(error)
            return nil
        }
    }
}

/// The one warning a command gives when the history cannot be used.
func warnWithoutHistory(_ error: HistoryError) {
    printError("warning: \(error); going on without history (--no-history turns it off)")
}
