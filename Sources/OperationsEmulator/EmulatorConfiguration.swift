import EarthEngineOperations
import Foundation

/// Everything that shapes an emulator run. The defaults make a realistic project that moves in real time.
public struct EmulatorConfiguration: Sendable {
    /// Address to bind; loopback by default (the emulator has no TLS).
    public var host: String = "127.0.0.1"
    /// 0 picks a free port.
    public var port: Int = 0
    /// The projects served; requests for any other answer PERMISSION_DENIED.
    public var projects: [String] = ["demo-project"]
    /// Operations generated per project.
    public var operationCount: Int = 200
    /// Share of generated operations that are PENDING or RUNNING at start.
    public var activeFraction: Double = 0.15
    /// Where the active operations lie in the project's history.
    public var activePlacement: ActivePlacement = .recent
    /// Seed of the generator: the same seed and clock give the same project.
    public var seed: UInt64 = 1
    /// Bearer tokens accepted (plus any the token endpoint issues). Empty: every request is refused.
    public var acceptedTokens: Set<String> = []
    /// Added before every API answer.
    public var latency: Duration = .zero
    /// Per-project quotas (100 requests/s, 40 in flight), answered with 429 RESOURCE_EXHAUSTED.
    public var quota: QuotaConfiguration? = QuotaConfiguration()
    /// How the simulated clock runs.
    public var clock: ClockMode = .realTime(speed: 1)
    /// Simulated time from a cancel request to CANCELLED.
    public var cancelDelay: Duration = .seconds(3)
    /// Chance that a cancelled operation completes anyway.
    public var completeDespiteCancelProbability: Double = 0.1
    /// Share of generated operations whose cancel answers UNIMPLEMENTED.
    public var cancelUnimplementedFraction: Double = 0.05
    /// A new operation is submitted this often (simulated time); nil for none.
    public var submitInterval: Duration?
    /// Faults injected into API answers.
    public var faults: FaultConfiguration = FaultConfiguration()
    /// Service accounts whose JWTs the token endpoint (`POST /token`) accepts: email → public key (PEM).
    public var serviceAccounts: [String: String] = [:]
    /// Refresh tokens the token endpoint accepts (refresh-token grant).
    public var refreshTokens: Set<String> = []
    /// Lifetime of the access tokens the token endpoint and the fake metadata server issue.
    public var tokenLifetime: Duration = .seconds(3600)
    /// Serve a fake GCE metadata server under `/computeMetadata/v1/` (for tests of that credential source).
    public var fakeMetadataServer = false
    /// Serve the test controls under `/_emulator/` (statistics, the manual clock, faults, creating operations).
    /// Off by default: anyone who can reach the port could otherwise steer the emulator.
    public var testControls = false
    /// The OAuth token endpoint (`POST /token`) is served only when it has something to grant: a service account or
    /// a refresh token configured.
    public var servesTokenEndpoint: Bool { !serviceAccounts.isEmpty || !refreshTokens.isEmpty }
    /// Default and maximum page sizes of `list`.
    public var defaultPageSize = 100
    public var maxPageSize = 1000

    public init() {}

    /// Where a project's active operations were created.
    public enum ActivePlacement: String, Sendable, CaseIterable {
        /// In the last minutes: every one is on the first page of a listing, as in most projects.
        case recent
        /// Anywhere in the ten days of history, as in a project whose user queued thousands of exports: PENDING and
        /// RUNNING operations lie on every page of a listing.
        case spread
    }

    /// How simulated time passes.
    public enum ClockMode: Sendable {
        /// Wall-clock time, sped up by `speed`.
        case realTime(speed: Double)
        /// Stands still at `start` until advanced through `POST /_emulator/clock:advance`: for deterministic tests.
        case manual(start: Date)
    }
}

/// The API's per-project request quotas.
public struct QuotaConfiguration: Sendable {
    /// How requests per second are counted. Google states the quota as a rate and does not say how it is
    /// measured, so the emulator offers the two common models; a client must stay inside both.
    public enum Model: String, Sendable, CaseIterable {
        /// A token bucket holding a fifth of a second's worth: short bursts pass, floods do not.
        case tokenBucket = "token-bucket"
        /// At most `requestsPerSecond` requests in any sliding second: stricter about bursts.
        case slidingWindow = "sliding-window"
    }

    public var requestsPerSecond: Double = 100
    public var maxInFlight: Int = 40
    public var model: Model = .tokenBucket
    public init(requestsPerSecond: Double = 100, maxInFlight: Int = 40, model: Model = .tokenBucket) {
        self.requestsPerSecond = requestsPerSecond
        self.maxInFlight = maxInFlight
        self.model = model
    }
}

/// Faults the emulator injects into API answers, to test retries and resilience.
public struct FaultConfiguration: Sendable {
    /// Share of API requests that get a fault (0...1).
    public var rate: Double = 0
    /// The kinds drawn from, equally likely.
    public var kinds: [FaultKind] = FaultKind.allCases
    public init(rate: Double = 0, kinds: [FaultKind] = FaultKind.allCases) {
        self.rate = rate
        self.kinds = kinds
    }
}

/// One kind of injected fault.
public enum FaultKind: String, Sendable, CaseIterable {
    /// 500 INTERNAL with the Google error envelope.
    case internalError = "500"
    /// 502 with an HTML page, as a proxy sends.
    case badGatewayHTML = "502"
    /// 503 UNAVAILABLE with `Retry-After: 1`.
    case unavailable = "503"
    /// 429 RESOURCE_EXHAUSTED with `Retry-After: 1`.
    case rateLimited = "429"
    /// The connection is closed before any answer.
    case reset
    /// The answer is delayed by 2 seconds.
    case stall
    /// The body is cut in half and the connection closed.
    case truncated
}
