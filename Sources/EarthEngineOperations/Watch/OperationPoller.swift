import Foundation

/// Keeps a live picture of a project's operations, shared by the TUI and `eeops watch`.
///
/// At the normal interval it makes a *short listing*: pages in the server's order until every operation
/// of interest that was not yet done has been seen again. An operation that is done stays done, so in a large
/// project, where the active operations are the recent ones on the first page, one request refreshes everything
/// that can change. The operations of interest are all of them, or the ones the subscriber shows
/// (``setFocus(_:)``) and those it tracks: active operations deep in a long history that no one is looking at
/// are then refreshed by the *complete listing*, which also finds deleted operations and new ones the server did
/// not put first, at least every ``PollerConfiguration/completeListingInterval``. A short listing reads the first
/// page at least, where the server puts new operations.
///
/// The operations the user acted on (``track(_:)``) are refreshed every second until they are done,
/// whichever costs fewer requests (one `get` per tracked operation, or one short listing). Intervals are
/// stretched to stay within the request budget at any project size. Everything it learns arrives on ``events``.
public actor OperationPoller {
    public nonisolated let events: AsyncStream<PollerEvent>
    private let eventSink: AsyncStream<PollerEvent>.Continuation
    private let client: OperationsClient
    private let project: String
    private let configuration: PollerConfiguration

    /// The latest copy of each operation listed, by name (sorted: a long history's index in a third of a
    /// `Dictionary`'s memory; newcomers are added a page at a time).
    private var known = SortedMap<String, LongRunningOperation>()
    /// The names in the order the events so far put them: pages of the first listing in turn, newcomers first,
    /// departures removed. A complete listing sends its order only when it differs from this.
    private var presentedOrder: [String] = []
    private var hasCompleteListing = false
    private var tracked: [String: OperationName] = [:]
    private var paused = false
    /// The operations the subscriber shows; nil when it shows all of them. Set from any thread, in call order.
    private nonisolated let focus = Locked<Set<String>?>(nil)
    /// Pages the last short listing took (before any: the pages up to the last active operation).
    private var pagesPerListing = 1
    private var pagesPerCompleteListing = 1
    private let clock: any PollerClock
    private var nextListing: ContinuousClock.Instant
    private var nextCompleteListing: ContinuousClock.Instant
    private var nextTrackedRefresh: ContinuousClock.Instant
    private var consecutiveFailures = 0
    private var schedule: PollSchedule?
    private var loop: Task<Void, Never>?
    private var sleeper: Task<Void, Never>?
    private var reportedSkew: Double = 0
    /// Operations decoded by earlier listings, reused while their JSON is unchanged; it also decides the form in
    /// which finished operations are kept (``PollerConfiguration/finishedOperations``).
    public nonisolated let decodeCache: OperationDecodeCache

    /// Differences between the clocks below this are ordinary (network delay, whole-second `Date` headers).
    public static let clockSkewThreshold: Double = 30

    /// - Parameter clock: what intervals are measured by (a test's ``ManualPollerClock`` lets them pass at once).
    public init(client: OperationsClient, project: String, configuration: PollerConfiguration = PollerConfiguration(),
                clock: any PollerClock = SystemPollerClock()) {
        self.client = client
        self.project = project
        self.configuration = configuration
        self.clock = clock
        decodeCache = OperationDecodeCache(finishedOperations: configuration.finishedOperations)
        let now = clock.now
        (nextListing, nextCompleteListing, nextTrackedRefresh) = (now, now, now)
        (events, eventSink) = AsyncStream.makeStream(of: PollerEvent.self, bufferingPolicy: .unbounded)
    }

    /// Starts polling (the first listing begins at once).
    public func start() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    /// Stops polling and ends ``events``.
    public func stop() {
        loop?.cancel()
        sleeper?.cancel()
        eventSink.finish()
    }

    /// Refreshes these operations every second (or as the budget allows) until they are done.
    public func track(_ names: [OperationName]) {
        for name in names { tracked[name.description] = name }
        nextTrackedRefresh = clock.now
        wake()
    }

    /// Limits short listings to the operations the subscriber shows (nil: every operation) besides the tracked
    /// ones: they go only as deep as the last of these that is active. Takes effect at the next listing.
    public nonisolated func setFocus(_ names: Set<String>?) {
        focus.withLock { $0 = names }
    }

    /// Lists the whole project now instead of at the next interval.
    public func refreshNow() {
        nextListing = clock.now
        nextCompleteListing = clock.now
        wake()
    }

    /// While paused, full listings stop; tracked operations are still refreshed so that no cancel outcome is missed.
    public func setPaused(_ value: Bool) {
        paused = value
        if !value { nextListing = clock.now }
        wake()
    }

    private func wake() { sleeper?.cancel() }

    private func run() async {
        while !Task.isCancelled {
            let now = clock.now
            let trackedDue = !tracked.isEmpty && now >= nextTrackedRefresh
            let listingDue = !paused && now >= nextListing
            if listingDue || (trackedDue && tracked.count >= pagesPerListing && hasCompleteListing && !paused) {
                await listProject(complete: !hasCompleteListing || (listingDue && now >= nextCompleteListing))
            } else if trackedDue {
                await refreshTracked()
            }
            let deadline = tracked.isEmpty ? (paused ? now + .seconds(3600) : nextListing)
                                           : min(paused ? nextTrackedRefresh : nextListing, nextTrackedRefresh)
            let clock = self.clock
            let task = Task { _ = try? await clock.sleep(until: deadline) }
            sleeper = task
            await task.value
            sleeper = nil
        }
    }

    // MARK: - Listing

    /// Lists the project: all of it when `complete`, otherwise until every operation that was active has been
    /// seen again (a short listing that runs to the last page counts as complete).
    private func listProject(complete: Bool) async {
        let started = clock.now
        var operations: [LongRunningOperation] = []
        var pages = 0
        var pagesToLastActive = 1
        let firstListing = !hasCompleteListing
        let focus = self.focus.withLock { $0 }
        var awaited = complete ? Set<String>() : activeOperationsOfInterest(focus: focus)
        var stoppedEarly = false
        do {
            try await client.listAll(
                project: project, pageSize: configuration.pageSize, cache: decodeCache,
                stopAfter: complete ? nil : { page in
                    for operation in page { awaited.remove(operation.name) }
                    stoppedEarly = awaited.isEmpty
                    return stoppedEarly
                }
            ) { page in
                pages += 1
                if page.contains(where: { !$0.state.isTerminal && isOfInterest($0.name, focus: focus) }) { pagesToLastActive = pages }
                operations.append(contentsOf: page)
                if firstListing {
                    // A first listing tried again after a failure meets operations it sent before: those are
                    // reported as changes, in place.
                    let fresh = page.filter { known[$0.name] == nil }
                    if fresh.count < page.count { reportChanges(in: page.filter { known[$0.name] != nil }) }
                    presentedOrder.append(contentsOf: fresh.lazy.map(\.name))
                    known.merge(fresh.map { ($0.name, $0) })
                    if !fresh.isEmpty { eventSink.yield(.initialPage(fresh)) }
                } else {
                    reportChanges(in: page)
                }
            }
        } catch {
            consecutiveFailures += 1
            let retryIn = min(Duration.seconds(60), configuration.interval * (1 << min(5, consecutiveFailures - 1)))
            nextListing = clock.now + retryIn
            if !tracked.isEmpty { nextTrackedRefresh = min(nextTrackedRefresh, clock.now + configuration.trackedInterval) }
            eventSink.yield(.refreshFailed(error as? OperationsError ?? .transport("\(error)"), at: Date(), retryIn: retryIn))
            return
        }
        consecutiveFailures = 0
        for operation in operations where operation.state.isTerminal { tracked.removeValue(forKey: operation.name) }
        if stoppedEarly {
            // Every change was reported page by page; the rest of the project was done and is unchanged.
            pagesPerListing = pages
            eventSink.yield(.upToDate(at: Date()))
            reportClockSkew()
            reschedule(listingStartedAt: started, complete: false)
            return
        }
        pagesPerCompleteListing = max(1, pages)
        pagesPerListing = pagesToLastActive
        let now = Date()
        // Every operation listed was reported page by page and is in `known` (a listing holds each name once);
        // what is left is who left, and the order.
        var departures: [StateTransition] = []
        if known.count != operations.count {
            let listed = Set(operations.lazy.map(\.name))
            departures = known.values.filter { !listed.contains($0.name) }.map {
                StateTransition(name: $0.name, from: $0.state, to: nil, seenAt: now, operation: $0)
            }
        }
        if !departures.isEmpty {
            let departed = Set(departures.map(\.name))
            known.removeAll { name, _ in departed.contains(name) }
            for name in departed { tracked.removeValue(forKey: name) }
            presentedOrder.removeAll { departed.contains($0) }
            eventSink.yield(.refreshed(operations: [], transitions: departures, at: now))
        }
        let order = operations.map(\.name)
        let reordered = order != presentedOrder
        presentedOrder = order
        hasCompleteListing = true
        eventSink.yield(.listed(order: reordered ? order : nil, at: now))
        reportClockSkew()
        reschedule(listingStartedAt: started, complete: true)
        // A listing's pages (megabytes in a large project) are freed by now; hand the memory back to the
        // system rather than keep it in the allocator's free lists until the next listing.
        FreedMemory.release()
    }

    /// The operations a short listing must see again: the active ones among those of interest.
    private func activeOperationsOfInterest(focus: Set<String>?) -> Set<String> {
        guard let focus else { return Set(known.values.lazy.filter { !$0.state.isTerminal }.map(\.name)) }
        let names = focus.union(tracked.keys)
        return names.filter { known[$0].map { !$0.state.isTerminal } ?? false }
    }

    private func isOfInterest(_ name: String, focus: Set<String>?) -> Bool {
        guard let focus else { return true }
        return focus.contains(name) || tracked[name] != nil
    }

    /// Reports the operations of one page that changed (or are new) as soon as the page is in, rather than
    /// when the whole listing is: in a large project the last page comes seconds after the first.
    private func reportChanges(in page: [LongRunningOperation]) {
        let now = Date()
        var changed: [LongRunningOperation] = []
        var transitions: [StateTransition] = []
        var newcomers: [LongRunningOperation] = []
        for operation in page {
            let previous = known[operation.name]
            guard previous != operation else { continue }
            if previous?.state != operation.state || previous == nil {
                transitions.append(StateTransition(name: operation.name, from: previous?.state, to: operation.state, seenAt: now, operation: operation))
            }
            changed.append(operation)
            // Reported once: the end of the listing finds no change.
            if previous == nil { newcomers.append(operation) } else { known[operation.name] = operation }
        }
        known.merge(newcomers.map { ($0.name, $0) })
        presentedOrder.insert(contentsOf: newcomers.lazy.map(\.name), at: 0)
        if !changed.isEmpty { eventSink.yield(.refreshed(operations: changed, transitions: transitions, at: now)) }
    }

    // MARK: - Tracked operations

    private func refreshTracked() async {
        let names = Array(tracked.values)
        let client = self.client
        let results = await OperationsClient.answers(to: names) { (name) async throws(OperationsError) in try await client.get(name) }
        let now = Date()
        var refreshed: [LongRunningOperation] = []
        var transitions: [StateTransition] = []
        var firstError: OperationsError?
        var newcomers: [String] = []
        for (name, result) in results {
            switch result {
            case .success(let answer):
                let operation = decodeCache.retained(answer)
                let previous = known[name.description]
                if previous?.state != operation.state {
                    transitions.append(StateTransition(name: name.description, from: previous?.state, to: operation.state, seenAt: now, operation: operation))
                }
                if previous == nil { newcomers.append(name.description) }
                known[name.description] = operation
                refreshed.append(operation)
                if operation.state.isTerminal { tracked.removeValue(forKey: name.description) }
            case .failure(let error) where error.rpcCode == RPCCode.notFound:
                tracked.removeValue(forKey: name.description)
                if let previous = known[name.description] {
                    known[name.description] = nil
                    transitions.append(StateTransition(name: name.description, from: previous.state, to: nil, seenAt: now, operation: previous))
                    presentedOrder.removeAll { $0 == name.description }
                }
            case .failure(let error):
                firstError = firstError ?? error
            }
        }
        presentedOrder.insert(contentsOf: newcomers, at: 0)
        if !refreshed.isEmpty || !transitions.isEmpty { eventSink.yield(.refreshed(operations: refreshed, transitions: transitions, at: now)) }
        if let firstError { eventSink.yield(.refreshFailed(firstError, at: now, retryIn: currentTrackedInterval())) }
        nextTrackedRefresh = clock.now + currentTrackedInterval()
    }

    /// Tells the subscriber when the server's clock is (or stops being) far from this machine's: ages and
    /// "updated" times are computed here, token lifetimes there.
    private func reportClockSkew() {
        guard let offset = client.serverClockOffset else { return }
        let skew = abs(offset) >= Self.clockSkewThreshold ? offset : 0
        guard abs(skew - reportedSkew) >= Self.clockSkewThreshold || (skew == 0) != (reportedSkew == 0) else { return }
        reportedSkew = skew
        eventSink.yield(.clockSkew(seconds: skew))
    }

    // MARK: - Pacing

    /// Tracked refreshes may use half the budget; the rest is for listings.
    private func currentTrackedInterval() -> Duration {
        let cost = Double(min(tracked.count, pagesPerListing))
        let needed = Duration.milliseconds(Int64(cost / (configuration.requestBudget * 0.5) * 1000))
        return max(configuration.trackedInterval, needed)
    }

    /// Spends the budget left by tracked refreshes on listings: at most half of it on complete listings
    /// (stretching their interval in huge projects), the rest on short ones.
    private func reschedule(listingStartedAt started: ContinuousClock.Instant, complete: Bool) {
        let trackedInterval = currentTrackedInterval()
        let trackedRate = tracked.isEmpty ? 0 : Double(min(tracked.count, pagesPerListing)) / trackedInterval.seconds
        let remaining = max(configuration.requestBudget * 0.5, configuration.requestBudget - trackedRate)
        let completeEvery = max(configuration.completeListingInterval, .milliseconds(Int64(Double(pagesPerCompleteListing) / (remaining * 0.5) * 1000)))
        let completeRate = Double(pagesPerCompleteListing) / completeEvery.seconds
        let interval = max(configuration.interval, .milliseconds(Int64(Double(pagesPerListing) / (remaining - completeRate) * 1000)))
        nextListing = started + interval
        if complete { nextCompleteListing = started + completeEvery }
        if !tracked.isEmpty { nextTrackedRefresh = clock.now + trackedInterval }
        let newSchedule = PollSchedule(
            interval: interval, completeListingInterval: max(interval, completeEvery), trackedInterval: trackedInterval,
            pagesPerListing: pagesPerListing, pagesPerCompleteListing: pagesPerCompleteListing,
            requestsPerSecond: Double(pagesPerListing) / interval.seconds + completeRate + trackedRate,
            isStretched: interval > configuration.interval
        )
        if newSchedule != schedule {
            schedule = newSchedule
            eventSink.yield(.schedule(newSchedule))
        }
    }
}

extension OperationPoller {
    /// The events of several pollers (one per project), each with its poller's project, in the order they come;
    /// the stream ends when every poller's has ended.
    public static func merged(_ pollers: [(project: String, poller: OperationPoller)]) -> AsyncStream<(project: String, event: PollerEvent)> {
        let (stream, continuation) = AsyncStream<(project: String, event: PollerEvent)>.makeStream()
        let forwarding = Task {
            await withTaskGroup(of: Void.self) { group in
                for (project, poller) in pollers {
                    group.addTask {
                        for await event in poller.events { continuation.yield((project, event)) }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in forwarding.cancel() }
        return stream
    }
}
