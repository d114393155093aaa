import EarthEngineOperations

/// Counters of what the emulator answered, served at `GET /_emulator/stats` for tests and benchmarks.
final class EmulatorStatistics: Sendable {
    struct Counts: Sendable, Codable {
        var requests = 0
        var listRequests = 0
        var getRequests = 0
        var cancelRequests = 0
        var deleteRequests = 0
        var waitRequests = 0
        var rateLimited = 0
        var unauthenticated = 0
        var faultsInjected = 0
        var tokenGrants = 0
        var metadataTokens = 0
    }

    private let counts = Locked(Counts())

    func record(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }

    var snapshot: Counts { counts.withLock { $0 } }
}
