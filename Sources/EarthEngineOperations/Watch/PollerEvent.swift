import Foundation

/// A change of one operation's state seen by the poller.
public struct StateTransition: Sendable, Hashable {
    public var name: String
    /// nil when the operation appeared.
    public var from: OperationState?
    /// nil when the operation disappeared from the listing (deleted, or expired).
    public var to: OperationState?
    /// When the poller saw the change.
    public var seenAt: Date
    /// The latest known copy of the operation (the last one seen, for a disappearance).
    public var operation: LongRunningOperation

    public init(name: String, from: OperationState?, to: OperationState?, seenAt: Date, operation: LongRunningOperation) {
        self.name = name
        self.from = from
        self.to = to
        self.seenAt = seenAt
        self.operation = operation
    }
}

/// What the poller tells its subscriber (the TUI or `watch`). Each operation is sent when it first appears and
/// each time it changes, never again otherwise; the subscriber keeps the rows in the order the events give:
/// pages of the first listing in turn, newcomers first, until a complete listing sends another order.
public enum PollerEvent: Sendable {
    /// A page of the very first listing, sent as soon as it arrives so the first rows show at once. The first
    /// listing is the baseline: it reports no transitions.
    case initialPage([LongRunningOperation])
    /// Operations that changed or appeared (newcomers in the server's order, to go first), with the transitions
    /// among them: on each page of a later listing as soon as it is in, or refreshed one by one because the user
    /// acted on them (e.g. just cancelled them). A transition to nil is a departure: the operation left a complete
    /// listing, or a tracked one answered NOT_FOUND; its `operation` is the last copy seen.
    case refreshed(operations: [LongRunningOperation], transitions: [StateTransition], at: Date)
    /// A complete listing ended, its changes and departures sent before it: the whole project is current as of
    /// `at`. `order` is every name in the server's order when that differs from the order the events put them
    /// in (the server put a newcomer elsewhere than first), nil when it does not.
    case listed(order: [String]?, at: Date)
    /// A short listing ended: every operation of interest that was not done has been seen again (its changes came
    /// as ``refreshed(operations:transitions:at:)``), so what the subscriber shows is current as of `at`.
    case upToDate(at: Date)
    /// A refresh failed; the poller tries again after `retryIn`.
    case refreshFailed(OperationsError, at: Date, retryIn: Duration)
    /// The intervals in use, stretched when the request budget requires it.
    case schedule(PollSchedule)
    /// The server's clock differs from this machine's by this many seconds (positive: ahead), or no longer
    /// does (0). Sent when the difference passes ``OperationPoller/clockSkewThreshold`` or changes by as much again.
    case clockSkew(seconds: Double)
}

/// The poller's current pace.
public struct PollSchedule: Sendable, Equatable {
    /// Time between listings (short ones, as a rule).
    public var interval: Duration
    /// Time between complete listings, the longer of the configured one and what the budget allows.
    public var completeListingInterval: Duration
    /// Time between refreshes of tracked operations.
    public var trackedInterval: Duration
    /// Pages a short listing takes (up to the last operation of interest that was active).
    public var pagesPerListing: Int
    /// Pages a complete listing takes.
    public var pagesPerCompleteListing: Int
    /// Expected steady-state request rate.
    public var requestsPerSecond: Double
    /// True when the configured interval had to be stretched to stay within the budget.
    public var isStretched: Bool

    public init(interval: Duration, completeListingInterval: Duration, trackedInterval: Duration, pagesPerListing: Int,
                pagesPerCompleteListing: Int, requestsPerSecond: Double, isStretched: Bool) {
        self.interval = interval
        self.completeListingInterval = completeListingInterval
        self.trackedInterval = trackedInterval
        self.pagesPerListing = pagesPerListing
        self.pagesPerCompleteListing = pagesPerCompleteListing
        self.requestsPerSecond = requestsPerSecond
        self.isStretched = isStretched
    }
}

/// How the poller paces itself.
public struct PollerConfiguration: Sendable {
    /// The normal interval between listings.
    public var interval: Duration
    /// The longest time between complete listings, which find deleted operations (short listings cannot).
    public var completeListingInterval: Duration
    /// Requests per second the poller may spend on average (a tenth of the API quota by default).
    public var requestBudget: Double
    /// How often operations the user acted on are refreshed until they are done.
    public var trackedInterval: Duration
    public var pageSize: Int
    /// What is kept and sent of an operation that is done: the TUI, which shows details one operation at a time,
    /// asks for summaries (``LongRunningOperation/summarized()``); `watch` prints whole operations.
    public var finishedOperations: OperationDecodeCache.FinishedOperations = .whole

    public init(interval: Duration = .seconds(2), completeListingInterval: Duration = .seconds(30), requestBudget: Double = 10,
                trackedInterval: Duration = .seconds(1), pageSize: Int = 1000) {
        self.interval = interval
        self.completeListingInterval = completeListingInterval
        self.requestBudget = max(0.1, requestBudget)
        self.trackedInterval = trackedInterval
        self.pageSize = pageSize
    }
}
