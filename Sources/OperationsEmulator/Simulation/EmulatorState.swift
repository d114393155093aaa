import EarthEngineOperations
import Foundation

/// The simulated world: every project's operations, the clock, and the API's semantics for the five
/// methods. Requests of the HTTP layer come here; answers are plain values.
actor EmulatorState {
    enum CancelAnswer: Sendable { case accepted, notFound, alreadyDone(OperationState), unimplemented }

    let clock: EmulatorClock
    private let configuration: EmulatorConfiguration
    private var projects: [String: SimulatedProject] = [:]
    private var random: SeededRandom
    private var createdCount = 0

    init(configuration: EmulatorConfiguration, clock: EmulatorClock) {
        self.configuration = configuration
        self.clock = clock
        self.random = SeededRandom(seed: configuration.seed ^ 0xC0FFEE)
        let now = clock.now
        for (index, project) in configuration.projects.enumerated() {
            var generator = OperationGenerator(random: SeededRandom(seed: configuration.seed &+ UInt64(index) &* 7919),
                                               cancelUnimplementedFraction: configuration.cancelUnimplementedFraction)
            let operations = generator.project(count: configuration.operationCount, activeFraction: configuration.activeFraction,
                                                placement: configuration.activePlacement, now: now)
            projects[project] = SimulatedProject(name: project, operations: operations, generator: generator,
                                                 submitInterval: configuration.submitInterval, clockStart: now)
        }
    }

    func serves(_ project: String) -> Bool { projects[project] != nil }

    func list(project: String, pageSize: Int, after token: PageToken?, stateFilter: OperationState?, version: APIVersion) -> ([LongRunningOperation], PageToken?) {
        let now = clock.now
        projects[project]?.catchUp(to: now)
        guard let simulated = projects[project] else { return ([], nil) }
        let (slice, next) = simulated.page(size: pageSize, after: token)
        var operations = slice.map { $0.snapshot(at: now, project: project, version: version) }
        if let stateFilter { operations.removeAll { $0.state != stateFilter } }
        return (operations, next)
    }

    func get(project: String, id: String, version: APIVersion) -> LongRunningOperation? {
        let now = clock.now
        projects[project]?.catchUp(to: now)
        return projects[project]?.operation(id: id)?.snapshot(at: now, project: project, version: version)
    }

    func cancel(project: String, id: String) -> CancelAnswer {
        let now = clock.now
        projects[project]?.catchUp(to: now)
        guard let operation = projects[project]?.operation(id: id) else { return .notFound }
        if operation.cancelBehavior == .unimplemented { return .unimplemented }
        let state = operation.state(at: now)
        if state.isTerminal { return .alreadyDone(state) }
        if state == .cancelling { return .accepted } // cancel is idempotent
        let resolution: SimulatedOperation.CancelResolution = switch operation.cancelBehavior {
        case .cancels: .cancelled
        case .completes: .completes
        default: random.chance(configuration.completeDespiteCancelProbability) ? .completes : .cancelled
        }
        let delay = configuration.cancelDelay.seconds
        projects[project]?.update(id: id) { operation in
            operation.cancelRequestedAt = now
            operation.cancelResolvesAt = now.addingTimeInterval(delay)
            operation.cancelResolution = resolution
        }
        return .accepted
    }

    func delete(project: String, id: String) -> Bool {
        projects[project]?.remove(id: id) ?? false
    }

    /// Adds an operation described by a test (`POST /_emulator/projects/P/operations`).
    func create(project: String, spec: OperationSpec) -> LongRunningOperation? {
        guard projects[project] != nil else { return nil }
        let now = clock.now
        createdCount += 1
        let id = spec.id ?? random.operationID()
        let pending = spec.pendingSeconds ?? 0
        let run = spec.runSeconds ?? 600
        // A finished state is made by placing the timeline in the past.
        let start: Date
        switch spec.state.map(OperationState.init(apiValue:)) {
        case .succeeded?, .failed?: start = now.addingTimeInterval(-run - 1)
        case .pending?: start = now.addingTimeInterval(spec.pendingSeconds ?? 3600)
        default: start = now.addingTimeInterval(pending)
        }
        let created = min(start, now).addingTimeInterval(-1 - Double(createdCount) * 0.001)
        let failed = spec.state.map(OperationState.init(apiValue:)) == .failed
        let type = spec.type ?? "EXPORT_IMAGE"
        let operation = SimulatedOperation(
            id: id, type: type, description: spec.description ?? "test operation \(createdCount)",
            priority: spec.priority ?? 100, createTime: created, startTime: start, attemptStarts: [start],
            endTime: start.addingTimeInterval(run), outcome: failed ? .failed(spec.failureMessage ?? "Failed for the test.") : .succeeded,
            eecuPerSecond: spec.eecuPerSecond ?? 2, scriptUri: nil, destinationUris: ["https://drive.google.com/#folders/\(id.prefix(12))"],
            notifications: [], stages: SimulatedOperation.Stage.named(["Compute", "Write"], type: type), totalWorkUnits: 10,
            cancelBehavior: spec.cancel.flatMap(SimulatedOperation.CancelBehavior.init(rawValue:)) ?? .random
        )
        projects[project]?.insert(operation)
        return operation.snapshot(at: now, project: project, version: .v1)
    }
}

/// A test's description of an operation to add to the emulator.
struct OperationSpec: Decodable, Sendable {
    var id: String?
    var type: String?
    var description: String?
    var priority: Int?
    /// PENDING, RUNNING (default), SUCCEEDED or FAILED at creation.
    var state: String?
    /// Simulated seconds until it starts running (RUNNING only).
    var pendingSeconds: Double?
    /// Simulated seconds it runs for.
    var runSeconds: Double?
    /// random | cancels | completes | unimplemented
    var cancel: String?
    var failureMessage: String?
    /// EECU-seconds it uses per second of running (default 2).
    var eecuPerSecond: Double?
}
