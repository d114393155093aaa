/// The state of a long-running operation, as `OperationMetadata.state` reports it.
///
/// Values this build does not know are kept as ``unknown(_:)`` rather than rejected, and the legacy
/// task names (READY, CANCEL_REQUESTED, COMPLETED) still seen in older tools are accepted as aliases.
public enum OperationState: Hashable, Sendable, CustomStringConvertible {
    case unspecified
    case pending
    case running
    case cancelling
    case succeeded
    case cancelled
    case failed
    case unknown(String)

    /// The states in the order the API lists them.
    public static let known: [OperationState] = [.unspecified, .pending, .running, .cancelling, .succeeded, .cancelled, .failed]

    /// The states users select operations by (`--state`, the TUI's state filter), in the API's order.
    public static let selectable: [OperationState] = [.pending, .running, .cancelling, .succeeded, .cancelled, .failed]

    /// Parses an API value; legacy aliases map to their modern names, anything else becomes ``unknown(_:)``.
    /// Case does not matter; the API's own upper-case spelling is matched without folding it first.
    public init(apiValue: String) {
        self = Self.named(apiValue) ?? Self.named(apiValue.uppercased()) ?? .unknown(apiValue)
    }

    private static func named(_ name: String) -> OperationState? {
        switch name {
        case "STATE_UNSPECIFIED": .unspecified
        case "PENDING", "READY": .pending
        case "RUNNING": .running
        case "CANCELLING", "CANCEL_REQUESTED": .cancelling
        case "SUCCEEDED", "COMPLETED": .succeeded
        case "CANCELLED": .cancelled
        case "FAILED": .failed
        default: nil
        }
    }

    /// Parses a state name typed by a user (case-insensitive, aliases accepted); nil for unknown names.
    public init?(userValue: String) {
        let state = OperationState(apiValue: userValue)
        if case .unknown = state { return nil }
        self = state
    }

    /// The value as the API spells it.
    public var apiValue: String {
        switch self {
        case .unspecified: "STATE_UNSPECIFIED"
        case .pending: "PENDING"
        case .running: "RUNNING"
        case .cancelling: "CANCELLING"
        case .succeeded: "SUCCEEDED"
        case .cancelled: "CANCELLED"
        case .failed: "FAILED"
        case .unknown(let raw): raw
        }
    }

    public var description: String { apiValue }

    /// True once the operation can no longer change: SUCCEEDED, CANCELLED or FAILED.
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .cancelled, .failed: true
        default: false
        }
    }

    /// True for the states a user watches: PENDING, RUNNING and CANCELLING.
    public var isActive: Bool {
        switch self {
        case .pending, .running, .cancelling: true
        default: false
        }
    }

    /// True when a cancel request can still have an effect.
    public var isCancellable: Bool {
        switch self {
        case .pending, .running, .unspecified, .unknown: true
        default: false
        }
    }
}
