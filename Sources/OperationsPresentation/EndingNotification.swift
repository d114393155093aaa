import EarthEngineOperations
import Foundation

/// What `--notify` and `--notify-command` say when an operation of interest ends: the terminal's desktop
/// notification and bell, and the environment of the user's command. Pure: the executable writes and runs them.
public enum EndingNotification {
    /// The desktop-notification sequence a terminal understands.
    public enum Style: Sendable, Equatable {
        /// `ESC ] 9 ; text BEL`: iTerm2, WezTerm, Windows Terminal, kitty, ConEmu.
        case osc9
        /// `ESC ] 777 ; notify ; title ; body BEL`: rxvt-unicode, foot, and the VTE terminals (GNOME Terminal,
        /// Tilix), which do not read OSC 9.
        case osc777
    }

    /// The style the terminal described by `environment` prefers: OSC 777 for VTE (`VTE_VERSION`), urxvt and
    /// foot, OSC 9 otherwise.
    public static func style(environment: [String: String]) -> Style {
        let term = environment["TERM"] ?? ""
        if environment["VTE_VERSION"] != nil || term.hasPrefix("rxvt") || term.hasPrefix("foot") { return .osc777 }
        return .osc9
    }

    /// One line for people: `eeops: EXPORT_IMAGE ndvi_2024 SUCCEEDED (812 EECU-s)`, server text sanitised.
    public static func text(_ operation: LongRunningOperation) -> String {
        var parts = ["eeops:", operation.shortID]
        if let description = operation.metadata?.description, !description.isEmpty { parts.append(description) }
        parts.append(operation.state.apiValue)
        var text = parts.joined(separator: " ")
        if let seconds = EECUTotals.seconds(of: operation) { text += " (\(OperationFormatting.eecuAmount(seconds: seconds)))" }
        // Sanitised, and without the separators the sequences use, so that server text cannot end them early.
        return String(TerminalText.sanitize(text).map { $0 == ";" ? "," : $0 }.prefix(200))
    }

    /// The bell, then the desktop notification in `style`; inside tmux (`insideTmux`), the notification wrapped
    /// to pass through to the outer terminal (tmux's `allow-passthrough`).
    public static func terminalSequence(_ operation: LongRunningOperation, style: Style, insideTmux: Bool) -> String {
        let text = self.text(operation)
        let notification = switch style {
        case .osc9: "\u{1B}]9;\(text)\u{07}"
        case .osc777: "\u{1B}]777;notify;eeops;\(text)\u{07}"
        }
        let wrapped = insideTmux ? "\u{1B}Ptmux;" + notification.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\" : notification
        return "\u{07}" + wrapped
    }

    /// The variables `--notify-command` gets, besides the environment eeops runs in: the operation's full name,
    /// its state, description (empty when none) and EECU-seconds (empty when not reported).
    public static func environment(_ operation: LongRunningOperation) -> [String: String] {
        [
            "EEOPS_NAME": operation.name,
            "EEOPS_STATE": operation.state.apiValue,
            "EEOPS_DESCRIPTION": operation.metadata?.description ?? "",
            "EEOPS_EECU_SECONDS": EECUTotals.seconds(of: operation).map { String($0) } ?? "",
        ]
    }
}
