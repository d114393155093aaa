/// Waits until operations reach the end asked for, spending at most a budget of requests per second for the whole
/// wait, whatever the number of operations (`eeops wait`, `cancel --wait`).
///
/// The wait goes in rounds. A round asks about every operation still awaited, in the cheapest way:
/// - a few operations (at most ``longPollLimit``): the API's `wait` method, which the server may hold until the
///   operation is done (falling back to `get` when the server does not implement it);
/// - more than that: `get` for each, or, when the project's last listing took fewer pages than there are
///   operations to ask about, one listing of the project (operations missing from it are asked for with `get`).
///
/// Rounds start at least `cost / budget` apart, so that their requests average at most the budget, and at least the
/// round interval apart, which starts at ``firstInterval`` and grows by half up to ``maxInterval`` while nothing
/// ends (a server whose `wait` answers at once is then asked less and less often).
public struct OperationWaiter: Sendable {
    /// Requests per second the whole wait may spend on average.
    public var budget: Double
    public var firstInterval: Duration = .seconds(1)
    public var maxInterval: Duration = .seconds(10)
    /// The most operations that are waited for with the API's `wait` method, one request each held open.
    public var longPollLimit = 4
    /// The longest one `wait` request asks the server to hold.
    public var longPollTimeout: Duration = .seconds(30)

    /// What became of one operation.
    public enum Ending: Sendable {
        /// It reached the end asked for.
        case reached(LongRunningOperation)
        /// It could not be asked about: NOT_FOUND, or another error that is not worth retrying.
        case failed(OperationsError)
    }

    public init(budget: Double = 10) {
        self.budget = max(0.1, budget)
    }

    /// Waits until `isEnd` holds for each of `names`, the deadline passes, or the task is cancelled; `onEnding` is
    /// called as each one ends. Returns the last state seen of those that did not end (none seen: absent).
    public func wait(
        for names: [OperationName], client: OperationsClient, deadline: ContinuousClock.Instant?,
        isEnd: @escaping @Sendable (LongRunningOperation) -> Bool = { $0.done },
        onEnding: (OperationName, Ending) -> Void
    ) async -> [OperationName: LongRunningOperation] {
        var pending = names
        var lastSeen: [OperationName: LongRunningOperation] = [:]
        var interval = firstInterval
        var pagesPerListing: [String: Int] = [:]
        var waitMethodWorks = true
        while !pending.isEmpty, !Task.isCancelled {
            if let deadline, ContinuousClock.now >= deadline { break }
            let roundStart = ContinuousClock.now
            var cost = 0
            var answers: [OperationName: Result<LongRunningOperation, OperationsError>] = [:]
            if pending.count <= longPollLimit, waitMethodWorks {
                let hold = min(longPollTimeout, deadline.map { roundStart.duration(to: $0) } ?? longPollTimeout)
                answers = await Self.ask(pending) { (name) async throws(OperationsError) in try await client.wait(name, timeout: max(.zero, hold)) }
                cost += pending.count
                if answers.values.contains(where: { if case .failure(let error) = $0 { error.rpcCode == .unimplemented } else { false } }) {
                    waitMethodWorks = false
                    answers = answers.filter { if case .failure(let error) = $0.value { error.rpcCode != .unimplemented } else { true } }
                }
            } else {
                for (project, inProject) in Dictionary(grouping: pending, by: \.project) {
                    let pages = pagesPerListing[project] ?? Int(budget.rounded(.up))
                    var unanswered = inProject
                    if inProject.count > pages, let listing = await Self.list(project, client: client) {
                        pagesPerListing[project] = listing.pages
                        cost += listing.pages
                        unanswered = []
                        for name in inProject {
                            if let operation = listing.operations[name.description] { answers[name] = .success(operation) } else { unanswered.append(name) }
                        }
                    }
                    answers.merge(await Self.ask(unanswered) { (name) async throws(OperationsError) in try await client.get(name) }) { $1 }
                    cost += unanswered.count
                }
            }
            var still: [OperationName] = []
            for name in pending {
                switch answers[name] {
                case .success(let operation)?:
                    if isEnd(operation) {
                        onEnding(name, .reached(operation))
                    } else {
                        lastSeen[name] = operation
                        still.append(name)
                    }
                case .failure(let error)? where !error.isRetryable:
                    onEnding(name, .failed(error))
                default:
                    still.append(name) // a transient failure (the client already retried): asked again next round
                }
            }
            let ended = still.count < pending.count
            pending = still
            for name in Set(lastSeen.keys).subtracting(pending) { lastSeen.removeValue(forKey: name) }
            guard !pending.isEmpty else { break }
            interval = ended ? firstInterval : min(maxInterval, interval * 1.5)
            var pause = max(interval, .milliseconds(Int64(Double(cost) / budget * 1000))) - roundStart.duration(to: .now)
            if let deadline { pause = min(pause, ContinuousClock.now.duration(to: deadline)) }
            if pause > .zero { try? await Task.sleep(for: pause) }
        }
        return lastSeen
    }

    /// Asks about each name concurrently (the client's limiter paces the requests).
    private static func ask(
        _ names: [OperationName], _ request: @escaping @Sendable (OperationName) async throws(OperationsError) -> LongRunningOperation
    ) async -> [OperationName: Result<LongRunningOperation, OperationsError>] {
        var answers: [OperationName: Result<LongRunningOperation, OperationsError>] = [:]
        for (name, result) in await OperationsClient.answers(to: names, request) { answers[name] = result }
        return answers
    }

    /// Every operation of `project` by name, and the pages the listing took; nil when it failed.
    private static func list(_ project: String, client: OperationsClient) async -> (operations: [String: LongRunningOperation], pages: Int)? {
        var operations: [String: LongRunningOperation] = [:]
        var pages = 0
        do {
            try await client.listAll(project: project) { page in
                pages += 1
                for operation in page { operations[operation.name] = operation }
            }
        } catch {
            return nil
        }
        return (operations, max(1, pages))
    }
}
