import EarthEngineOperations
import Foundation

/// Everything that can change the TUI's state.
public enum AppEvent: Sendable {
    case key(Key)
    case poller(PollerEvent)
    /// The server's answer to a cancel the user asked for.
    case cancelAnswered(name: String, outcome: CancelOutcome)
    case resize(TerminalSize)
    /// The clock moved on (once a second): ages, freshness and highlights.
    case tick(Date)
    /// SIGINT, SIGTERM or SIGHUP.
    case terminate
}

/// A key press, independent of curses.
public enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, delete, tab
    /// A mouse click on a screen row (only with `--mouse`).
    case click(row: Int)
    case scrollUp, scrollDown
}

/// Work the reducer asks the app to do; the app runs it and feeds results back as events.
public enum Effect: Sendable, Equatable {
    /// Send cancel requests.
    case cancel([OperationName])
    /// Refresh these operations quickly until they are done.
    case track([OperationName])
    case refreshNow
    case setPaused(Bool)
    case quit
}
