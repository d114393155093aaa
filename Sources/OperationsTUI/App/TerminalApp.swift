import EarthEngineOperations
import Foundation
import OperationsPresentation

/// Runs the TUI: one thread owns the terminal and the state; the poller and cancel requests work in the
/// background and hand their results to that thread as events.
public final class TerminalApp: Sendable {
    public struct Options: Sendable {
        /// The colours (``Theme/mono``: none).
        public var theme = Theme.default
        public var mouse = false
        public var poller = PollerConfiguration()
        /// How long quitting waits for cancel requests still in flight.
        public var cancelGrace: Duration = .seconds(5)
        /// Receives one line per logged event (for `--log-file`); nothing is written to the terminal.
        public var diagnostics: (@Sendable (String) -> Void)?
        /// Records every cancel and what became of it.
        public var audit: AuditLog?
        /// The project's operations as the local history last saw them: drawn at once, before the server answers.
        public var cachedRows: [LongRunningOperation] = []
        /// Keeps operations the server sent in the local history (``Effect/remember(_:)``); it must return at once.
        public var remember: (@Sendable ([LongRunningOperation]) -> Void)?
        /// Tells the user that an operation of interest ended (``Effect/notify(_:)``); it must return at once.
        public var notify: (@Sendable (LongRunningOperation) -> Void)?
        public init() {}
    }

    /// What happened, for the message printed after the terminal is restored.
    public struct Summary: Sendable {
        public var cancels: [String: CancelOutcome]
        /// Cancels whose answer never came before exit.
        public var unanswered: [String]
        public var signal: Int32?
    }

    public enum StartError: Error, CustomStringConvertible {
        case noTerminal
        case firstListingFailed(OperationsError)
        /// One of several projects' first listings failed.
        case projectFailed(String, OperationsError)
        case terminal(String)

        public var description: String {
            switch self {
            case .noTerminal: "the TUI needs a terminal (standard input and output are not terminals); for scripts use eeops list, watch or cancel"
            case .firstListingFailed(let error): error.description
            case .projectFailed(let project, let error): "project \(TerminalText.sanitize(project)): \(error.description)"
            case .terminal(let why): why
            }
        }
    }

    private let client: OperationsClient
    private let settings: AppState.Settings
    private let options: Options
    private let inbox = Locked<[AppEvent]>([])
    private let cancelTasks = Locked<[UUID: Task<Void, Never>]>([:])
    /// Admits each cancel request as it goes out; stopped when the audit log cannot be written.
    private let sendGate = SendGate()

    public init(client: OperationsClient, settings: AppState.Settings, options: Options) {
        self.client = client
        self.settings = settings
        self.options = options
    }

    /// Runs until the user quits or a termination signal arrives; the terminal is restored before it returns.
    public func run() async throws -> Summary {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw StartError.noTerminal }
        // The table keeps finished operations as summaries; the details view fetches the one it shows.
        // One poller per project; they share the request budget.
        var pollerConfiguration = options.poller
        pollerConfiguration.finishedOperations = .summary
        pollerConfiguration.requestBudget /= Double(max(1, settings.projects.count))
        let pollers = Pollers(settings.projects.map { ($0, OperationPoller(client: client, project: $0, configuration: pollerConfiguration)) })
        await pollers.start()
        // Wait for each project's first page (or a failure) before taking over the screen, so that a wrong project
        // or token gives a plain error message. A server that cannot be reached (yet) is not a mistake of the
        // user's: the screen opens, says so in its header, and fills in once the server answers.
        // With rows from the local history to draw, the project was used before: the screen opens at once with
        // them, and a failing first listing is reported in its header like any later one.
        var iterator = pollers.events.makeAsyncIterator()
        var early: [AppEvent] = options.cachedRows.isEmpty ? [] : [.cachedRows(options.cachedRows)]
        var awaitingFirstAnswer = options.cachedRows.isEmpty ? Set(settings.projects) : []
        while !awaitingFirstAnswer.isEmpty {
            guard let (project, event) = await iterator.next() else { break }
            early.append(.poller(event, project: project))
            switch event {
            case .refreshFailed(let error, _, _) where !error.isRetryable:
                await pollers.stop()
                throw settings.hasSeveralProjects ? StartError.projectFailed(project, error) : StartError.firstListingFailed(error)
            case .refreshFailed, .initialPage, .listed:
                awaitingFirstAnswer.remove(project)
            default:
                break
            }
        }
        inbox.withLock { $0.append(contentsOf: early) }
        let forwarder = Task { [self] in
            while let (project, event) = await iterator.next() { inbox.withLock { $0.append(.poller(event, project: project)) } }
        }
        defer { forwarder.cancel() }

        let result: Result<Int32?, Error> = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                continuation.resume(returning: Result { try self.uiLoop(pollers: pollers) })
            }
            thread.name = "eeops-ui"
            thread.start()
        }
        await pollers.stop()
        let signal = try result.get()
        // Give cancels in flight a bounded time to be answered, so that none is left unknown.
        let pending = cancelTasks.withLock { Array($0.values) }
        if !pending.isEmpty {
            let deadline = Task { try? await Task.sleep(for: options.cancelGrace) }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for task in pending { await task.value } }
                group.addTask { await deadline.value }
                await group.next()
                group.cancelAll()
            }
        }
        guard var state = finalState.withLock({ $0 }) else { return Summary(cancels: [:], unanswered: [], signal: signal) }
        // The answers that came during the grace period, then the end of the cancels still without one.
        for event in inbox.withLock({ events in defer { events.removeAll() }; return events }) {
            if case .cancelAnswered = event { performRecords(Reducer.reduce(&state, event)) }
        }
        let unanswered = state.cancelsInFlight.sorted()
        performRecords(Reducer.reduce(&state, .stopped(sent: Set(unanswered.filter(sendGate.wasSent)))))
        return Summary(cancels: state.cancels, unanswered: unanswered, signal: signal)
    }

    private let finalState = Locked<AppState?>(nil)

    /// The UI thread: read keys, apply events, run effects, draw. Returns the signal that ended it, if any.
    private func uiLoop(pollers: Pollers) throws -> Int32? {
        let terminal = CursesTerminal(options: .init(theme: options.theme, mouse: options.mouse))
        let size: TerminalSize
        do {
            size = try terminal.start()
        } catch {
            terminal.stop()
            throw StartError.terminal("\(error)")
        }
        defer { terminal.stop() }
        var state = AppState(settings: settings, size: size)
        var lastTick = Date()
        var endingSignal: Int32?
        var dirty = true
        while !state.quitRequested {
            var events: [AppEvent] = []
            if let event = terminal.readKey(milliseconds: dirty ? 0 : 50) {
                if case .terminate = event { endingSignal = SIGHUP } // the terminal hung up without a signal
                events.append(event)
            }
            events += inbox.withLock { pending in defer { pending.removeAll() }; return pending }
            if let signal = terminal.takeSignal() {
                endingSignal = signal
                events.append(.terminate)
            }
            if CursesTerminal.takeSuspendRequest() {
                events.append(.resize(terminal.suspend()))
            }
            let now = Date()
            if now.timeIntervalSince(lastTick) >= 1 {
                lastTick = now
                events.append(.tick(now))
            }
            var absorbedListing = false
            for event in events {
                if case .key = event { state.now = now }
                if case .poller(.listed, _) = event { absorbedListing = true }
                perform(Reducer.reduce(&state, event), pollers: pollers, terminal: terminal)
                dirty = true
            }
            if dirty {
                terminal.draw(AppView.render(state))
                dirty = false
            }
            if absorbedListing { FreedMemory.release() } // the listing's transient copies are gone by now
        }
        finalState.withLock { $0 = state }
        return endingSignal
    }

    private func perform(_ effects: [Effect], pollers: Pollers, terminal: CursesTerminal) {
        for effect in effects {
            switch effect {
            case .audit, .diagnostic:
                performRecords([effect])
            case .cancel(let names):
                for name in names { startCancel(name) }
            case .track(let names):
                for (poller, names) in pollers.each(names, project: \.project) where !names.isEmpty { Task { await poller.track(names) } }
            case .focus(let names):
                for (poller, names) in pollers.each(Array(names), project: { OperationName.project(of: $0) }) { poller.setFocus(Set(names)) }
            case .refreshNow:
                for poller in pollers.all { Task { await poller.refreshNow() } }
            case .setPaused(let paused):
                for poller in pollers.all { Task { await poller.setPaused(paused) } }
            case .fetchDetails(let name):
                let client = self.client
                Task { [inbox] in
                    let result = await OperationsClient.answer { () async throws(OperationsError) in try await client.get(name) }
                    inbox.withLock { $0.append(.detailsFetched(name: name.description, result)) }
                }
            case .remember(let operations):
                options.remember?(operations)
            case .notify(let operation):
                options.notify?(operation)
            case .copy(let text):
                terminal.sendSequence(ClipboardSequence.osc52(text))
            case .fetchDestinations(let names, let knownBytes):
                let client = self.client
                let budget = options.poller.requestBudget
                Task { [inbox] in
                    let fetched = await DestinationFetch.run(names, knownBytes: knownBytes, requestsPerSecond: budget) { name in
                        try? await client.get(name).metadata?.destinationUris ?? []
                    }
                    inbox.withLock { $0.append(.destinationsFetched(fetched)) }
                }
            case .runPlugin(let run):
                if run.plugin.background {
                    PluginRunner.runInBackground(run) { [inbox] result in inbox.withLock { $0.append(.pluginFinished(name: run.plugin.name, result)) } }
                } else {
                    var result: Result<Int32, PluginFailure> = .failure(PluginFailure("not run"))
                    let size = terminal.handOver { result = PluginRunner.runInForeground(run) }
                    inbox.withLock { $0 += [.resize(size), .pluginFinished(name: run.plugin.name, result)] }
                }
            case .quit:
                break
            }
        }
    }

    /// Writes the audit entries and diagnostic lines among `effects` (the only effects that remain to be run once
    /// the interface has stopped). A request that could not be recorded is not sent: when the audit log fails, the
    /// gate refuses every cancel from then on, and the reducer is told.
    private func performRecords(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .audit(let entries):
                guard let audit = options.audit else { continue }
                do throws(AuditWriteError) { try audit.record(entries) } catch {
                    sendGate.stop(because: "\(error.description): stopped sending")
                    inbox.withLock { $0.append(.auditFailed(error.description)) }
                }
            case .diagnostic(let entry):
                options.diagnostics?("\(Timestamp.format(entry.at, fractionDigits: 3)) \(entry.severity) \(entry.text)")
            default:
                continue
            }
        }
    }

    private func startCancel(_ name: OperationName) {
        let id = UUID()
        let client = self.client
        let task = Task { [self] in
            let outcome = await client.requestCancel(name, audit: options.audit, gate: sendGate, tool: Reducer.auditTool)
            inbox.withLock { $0.append(.cancelAnswered(name: name.description, outcome: outcome)) }
            _ = cancelTasks.withLock { $0.removeValue(forKey: id) }
        }
        cancelTasks.withLock { $0[id] = task }
    }
}

/// The pollers of the projects shown, one each, and their events merged.
struct Pollers: Sendable {
    let byProject: [(project: String, poller: OperationPoller)]
    let events: AsyncStream<(project: String, event: PollerEvent)>

    init(_ byProject: [(String, OperationPoller)]) {
        self.byProject = byProject.map { (project: $0.0, poller: $0.1) }
        events = OperationPoller.merged(self.byProject)
    }

    var all: [OperationPoller] { byProject.map(\.poller) }

    func start() async { for poller in all { await poller.start() } }

    func stop() async { for poller in all { await poller.stop() } }

    /// Every poller with the `items` of its project (none, for a project without any); an item of no project
    /// shown is dropped.
    func each<Item>(_ items: [Item], project: (Item) -> String?) -> [(OperationPoller, [Item])] {
        let grouped = Dictionary(grouping: items) { project($0) ?? "" }
        return byProject.map { entry in (entry.poller, grouped[entry.project] ?? []) }
    }
}
