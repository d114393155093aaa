import Foundation

/// Where the history lives: `--history FILE`, else `$XDG_DATA_HOME/eeops/history.sqlite`, else
/// `~/.local/share/eeops/history.sqlite`.
public enum HistoryLocation {
    public static func path(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let flag { return flag }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/eeops/history.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/eeops/history.sqlite"
    }
}
