import Foundation

/// How a project's queue drains, estimated from its operations' own times: how many wait and run, how many ran
/// at once over the last hours, how long a run takes, and when the pending operations should be done.
public struct QueueEstimate: Hashable, Sendable {
    /// Operations PENDING now.
    public var pending: Int
    /// Operations RUNNING now.
    public var running: Int
    /// The average number of operations running at once over the last ``window`` (or since the first of them
    /// started, when that is later); nil when none ran in it.
    public var concurrency: Double?
    /// The median run time (start to end) of the ``sampleSize`` operations that most recently SUCCEEDED or
    /// FAILED; nil when none did. Cancelled runs are left out: they say when someone stopped them.
    public var medianRunSeconds: Double?
    /// Seconds until the last pending operation should have finished: the pending operations start as slots
    /// free up, one ``medianRunSeconds`` apart per slot, and the last one runs for a median time too. The slots
    /// are the observed ``concurrency``, or the operations running now when more run (with a queue waiting,
    /// the server runs as many as it grants). 0 when nothing is pending; nil when neither the concurrency nor
    /// the run time is known.
    public var etaSeconds: Double?
    /// Names of the PENDING or RUNNING operations created more than ``lifetime`` − ``lifetimeWarning`` ago: the
    /// server ends a task at ``lifetime``.
    public var nearingLifetime: [String]

    /// The span over which concurrency is observed.
    public static let window: TimeInterval = 6 * 3600
    /// How many recent runs the median is taken over.
    public static let sampleSize = 500
    /// The longest an Earth Engine task lives.
    public static let lifetime: TimeInterval = 10 * 86_400
    /// How long before the end of its lifetime an operation is flagged.
    public static let lifetimeWarning: TimeInterval = 86_400

    /// True when `operation` is active and was created long enough ago to be nearing the end of its lifetime.
    public static func isNearingLifetime(_ operation: LongRunningOperation, now: Date) -> Bool {
        guard operation.state == .pending || operation.state == .running,
              let created = operation.metadata?.createTime else { return false }
        return now.timeIntervalSince(created) >= lifetime - lifetimeWarning
    }

    public init(operations: some Sequence<LongRunningOperation>, now: Date) {
        var pending = 0, running = 0
        var nearing: [String] = []
        var busySeconds = 0.0
        var firstStart: Date?
        var runs: [(end: Date, seconds: Double)] = []
        let windowStart = now.addingTimeInterval(-Self.window)
        for operation in operations {
            let state = operation.state
            if state == .pending { pending += 1 }
            if state == .running { running += 1 }
            if Self.isNearingLifetime(operation, now: now) { nearing.append(operation.name) }
            guard let metadata = operation.metadata, let start = metadata.startTime, start <= now else { continue }
            if (state == .succeeded || state == .failed), let end = metadata.endTime, end >= start {
                runs.append((end, end.timeIntervalSince(start)))
            }
            // The time this operation ran inside the window; an active one runs until now.
            let end = metadata.endTime ?? (state.isActive ? now : nil)
            guard let end, end > windowStart else { continue }
            let overlap = min(end, now).timeIntervalSince(max(start, windowStart))
            guard overlap > 0 else { continue }
            busySeconds += overlap
            firstStart = min(firstStart ?? start, start)
        }
        self.pending = pending
        self.running = running
        self.nearingLifetime = nearing
        if let firstStart, busySeconds > 0 {
            let observed = now.timeIntervalSince(max(firstStart, windowStart))
            concurrency = observed > 0 ? busySeconds / observed : nil
        }
        if !runs.isEmpty {
            let recent = runs.count > Self.sampleSize ? Array(runs.sorted { $0.end > $1.end }.prefix(Self.sampleSize)) : runs
            let seconds = recent.map(\.seconds).sorted()
            let middle = seconds.count / 2
            medianRunSeconds = seconds.count % 2 == 1 ? seconds[middle] : (seconds[middle - 1] + seconds[middle]) / 2
        }
        if pending == 0 {
            etaSeconds = 0
        } else if let medianRunSeconds, case let slots = max(concurrency ?? 0, Double(running)), slots > 0 {
            etaSeconds = medianRunSeconds * (Double(pending) / slots + 1)
        }
    }
}

extension QueueEstimate: JSONWritable {
    /// `{"concurrency", "etaSeconds", "medianRunSeconds", "nearingLifetime", "pending", "running"}`; an unknown
    /// estimate is `null`.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("concurrency")
        if let concurrency { writer.number(concurrency) } else { writer.null() }
        writer.key("etaSeconds")
        if let etaSeconds { writer.number(etaSeconds) } else { writer.null() }
        writer.key("medianRunSeconds")
        if let medianRunSeconds { writer.number(medianRunSeconds) } else { writer.null() }
        writer.key("nearingLifetime")
        writer.beginArray()
        for name in nearingLifetime { writer.string(name) }
        writer.endArray()
        writer.key("pending")
        writer.number(pending)
        writer.key("running")
        writer.number(running)
        writer.endObject()
    }
}
