import EarthEngineOperations
import Foundation

/// Everything that can change the TUI's state.
public enum AppEvent: Sendable {
    case key(Key)
    /// An event of the poller of `project` (nil: the one project of the settings).
    case poller(PollerEvent, project: String? = nil)
    /// The project's operations as the local history last saw them, shown (marked as from the history) until
    /// the first listing replaces them; sent before the poller's first event, if at all.
    case cachedRows([LongRunningOperation])
    /// The server's answer to a cancel the user asked for.
    case cancelAnswered(name: String, outcome: CancelOutcome)
    case resize(TerminalSize)
    /// The clock moved on (once a second): ages, freshness and highlights.
    case tick(Date)
    /// SIGINT, SIGTERM or SIGHUP.
    case terminate
    /// The audit log could not be written (the reason): no cancel is sent from then on.
    case auditFailed(String)
    /// The interface has stopped and the cancels still in flight had their grace period; `sent` names those of
    /// them that went out.
    case stopped(sent: Set<String>)
    /// The answer to ``Effect/fetchDetails(_:)``: the whole operation, or why it could not be fetched.
    case detailsFetched(name: String, Result<LongRunningOperation, OperationsError>)
    /// The answer to ``Effect/fetchDestinations(_:knownBytes:)``: by name, the destination URIs of each operation
    /// asked for, nil for those whose fetch failed (those not asked for, once the clipboard was full, are missing).
    case destinationsFetched([String: [String]?])
    /// A plugin's command ended: its exit status, or why it could not run (``Effect/runPlugin(_:)``).
    case pluginFinished(name: String, Result<Int32, PluginFailure>)
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

/// Work the reducer asks the app to do, in order; the app runs it and feeds results back as events. Every side
/// effect of the interface is one of these.
public enum Effect: Sendable, Equatable {
    /// Append to the audit log; a failure comes back as ``AppEvent/auditFailed(_:)``.
    case audit([AuditEntry])
    /// Send cancel requests (each audited as `sent` and answered by the core, when it goes out).
    case cancel([OperationName])
    /// Refresh these operations quickly until they are done.
    case track([OperationName])
    /// The operations on screen, under the cursor or marked: the poller keeps these fresh at every interval and
    /// may refresh the rest of a long history less often.
    case focus(Set<String>)
    case refreshNow
    case setPaused(Bool)
    /// Fetch the whole operation (`get`), whose details are open while the table keeps its summary; the answer
    /// comes back as ``AppEvent/detailsFetched(name:_:)``.
    case fetchDetails(OperationName)
    /// A line for `--log-file`.
    case diagnostic(AppState.LogEntry)
    /// Keep these operations, as the server sent them, in the local history.
    case remember([LongRunningOperation])
    /// A marked or cancelled row's operation ended: tell the user (`--notify`, `--notify-command`).
    case notify(LongRunningOperation)
    /// Put this text on the terminal's clipboard (OSC 52, ``ClipboardSequence``).
    case copy(String)
    /// Fetch these operations whole for their destination URIs (the table keeps finished ones as summaries);
    /// the answer comes back as ``AppEvent/destinationsFetched(_:)``. `knownBytes`: what the URIs the table has
    /// already take of the clipboard.
    case fetchDestinations([OperationName], knownBytes: Int)
    /// Run a plugin's command: in the background, or with the terminal handed over until it ends. Its end comes
    /// back as ``AppEvent/pluginFinished(name:_:)``.
    case runPlugin(Plugin.Run)
    case quit
}

/// Why a plugin's command did not run to an exit status.
public struct PluginFailure: Error, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
