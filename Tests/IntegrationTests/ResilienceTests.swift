import EarthEngineOperations
import Foundation
import OperationsEmulator
import Testing

@Suite("Quotas, retries and faults over loopback HTTP")
struct ResilienceTests {
    @Test func quotaExceededAnswers429WithRetryAfter() async throws {
        // One request every 2 s: however slow the machine (or a sanitizer), ten at once come faster.
        let server = try await TestEmulator.start(operations: 1, quota: QuotaConfiguration(requestsPerSecond: 0.5, maxInFlight: 40))
        defer { Task { await server.stop() } }
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for _ in 0..<10 { group.addTask { try await server.raw("GET", "/v1/projects/\(TestEmulator.project)/operations") } }
            return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
        }
        let refused = answers.filter { $0.0 == 429 }
        #expect(!refused.isEmpty, "\(answers.map(\.0))")
        #expect(refused.allSatisfy { $0.1.contains("RESOURCE_EXHAUSTED") })
        // Without retries, the client reports the 429 as a typed error.
        let client = try server.client(retry: .none, requestsPerSecond: 1000)
        let errors = await withTaskGroup(of: OperationsError?.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do throws(OperationsError) {
                        _ = try await client.listPage(project: TestEmulator.project)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: [OperationsError]()) { if let error = $1 { $0.append(error) } }
        }
        #expect(!errors.isEmpty, "no 429 reached the client")
        #expect(errors.allSatisfy { $0.rpcCode == .resourceExhausted }, "\(errors)")
    }

    @Test func clientRetriesThroughRateLimitsHonouringRetryAfter() async throws {
        let server = try await TestEmulator.start(operations: 1, quota: QuotaConfiguration(requestsPerSecond: 0.5, maxInFlight: 40))
        defer { Task { await server.stop() } }
        let client = try server.client(retry: RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(50)), requestsPerSecond: 1000)
        // Two at once against a bucket of one request that refills in 2 s: one is refused however slow the
        // machine (under the address sanitizer the second came 200 ms after the first), and gets through when
        // retried after the server's `Retry-After: 1`.
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 { group.addTask { _ = try await client.listPage(project: TestEmulator.project) } }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - started >= .seconds(1), "the retry waited for Retry-After")
        #expect(client.statistics.responses429 > 0)
        #expect(client.statistics.retries >= client.statistics.responses429)
    }

    @Test func bulkCancelWithinTheLimiterCausesNo429() async throws {
        let server = try await TestEmulator.start(quota: QuotaConfiguration(), latency: .milliseconds(20))
        defer { Task { await server.stop() } }
        var names: [OperationName] = []
        for index in 0..<150 { names.append(try await server.create(["id": "BULK\(index)", "cancel": "cancels"])) }
        let client = try server.client(retry: .none)
        let outcomes = await withTaskGroup(of: CancelOutcome.self) { group in
            for name in names { group.addTask { await client.requestCancel(name) } }
            var all: [CancelOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 150)
        #expect(outcomes.allSatisfy { $0 == .requested })
        #expect(try await server.statistics()["rateLimited"] == 0)
        #expect(client.statistics.responses429 == 0)
    }

    /// 1,000 cancels at once stay inside the quota however the server counts it: a token bucket, or at most 100
    /// requests in any sliding second (the limiter's bucket alone let about 110 through in some such seconds).
    @Test(arguments: QuotaConfiguration.Model.allCases)
    func aThousandCancelsMeetNo429UnderEitherQuotaModel(model: QuotaConfiguration.Model) async throws {
        let server = try await TestEmulator.start(operations: 1000, quota: QuotaConfiguration(model: model)) { configuration in
            configuration.activeFraction = 1
            configuration.cancelUnimplementedFraction = 0
        }
        defer { Task { await server.stop() } }
        let lister = try server.client(requestsPerSecond: 1000)
        var names: [OperationName] = []
        try await lister.listAll(project: TestEmulator.project) { page in
            names += page.compactMap { OperationName(validating: $0.name) }
        }
        try #require(names.count == 1000)
        try await Task.sleep(for: .seconds(1.1)) // the listing's requests leave the server's window
        let client = try server.client(retry: .none)
        let outcomes = await withTaskGroup(of: CancelOutcome.self) { group in
            for name in names { group.addTask { await client.requestCancel(name) } }
            return await group.reduce(into: [CancelOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0.wasAccepted }.count == 1000, "\(Set(outcomes.map(\.description)))")
        #expect(client.statistics.responses429 == 0)
        #expect(try await server.statistics()["rateLimited"] == 0)
    }

    /// An answer 429 slows the limiter down (to half the rate), and the rate comes back gradually.
    @Test func a429HalvesTheRateWhichThenRecovers() async throws {
        let limiter = RequestLimiter(requestsPerSecond: 100)
        #expect(await limiter.currentRate == 100)
        await limiter.slowDown()
        #expect(abs(await limiter.currentRate - 50) < 1)
        await limiter.slowDown()
        #expect(abs(await limiter.currentRate - 25) < 1)
        for _ in 0..<10 { await limiter.slowDown() }
        #expect(abs(await limiter.currentRate - 10) < 1, "never below a tenth of the quota")
        try await Task.sleep(for: .milliseconds(600))
        try await limiter.acquire() // the pace is brought up to date as a request starts
        await limiter.release()
        let recovered = await limiter.currentRate
        #expect(recovered > 10 && recovered < 100, "\(recovered)")
    }

    /// The audit log says `sent` when a cancel goes out, not while it waits for the limiter: 30 cancels at
    /// 20 requests/s (a burst of 2, then one every 50 ms) are sent over more than a second, each before its answer.
    @Test func cancelsAreAuditedAsSentWhenTheyGoOut() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        var names: [OperationName] = []
        for index in 0..<30 { names.append(try await server.create(["id": "SENT\(index)", "cancel": "cancels"])) }
        let client = try server.client(retry: .none, requestsPerSecond: 20)
        let path = NSTemporaryDirectory() + "eeops-sent-\(UUID().uuidString)/audit.jsonl"
        let audit = try AuditLog(path: path)
        await withTaskGroup(of: Void.self) { group in
            for name in names { group.addTask { _ = await client.requestCancel(name, audit: audit) } }
        }
        let entries = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]).compactMapValues { $0 as? String }
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let sentTimes = entries.filter { $0["stage"] == "sent" }.compactMap { $0["time"].flatMap(formatter.date(from:)) }
        #expect(sentTimes.count == 30)
        let span = (sentTimes.max() ?? .distantPast).timeIntervalSince(sentTimes.min() ?? .distantPast)
        #expect(span >= 1.0, "sent over \(span) s")
        for name in names.map(\.description) {
            let stages = entries.filter { $0["name"] == name }.map { $0["stage"] ?? "" }
            #expect(stages == ["sent", "accepted"], "\(name): \(stages)")
        }
    }

    @Test(arguments: ["500", "502", "503", "reset", "truncated"])
    func eachFaultIsRetriedToSuccess(kind: String) async throws {
        let server = try await TestEmulator.start(operations: 20)
        defer { Task { await server.stop() } }
        try await server.setFaults(rate: 0.5, kinds: [kind])
        let client = try server.client(retry: RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), maxRetryAfter: .milliseconds(50)))
        for _ in 0..<8 {
            let page = try await client.listPage(project: TestEmulator.project)
            #expect(page.operations.count == 20)
        }
        #expect(client.statistics.retries > 0)
        #expect(try await server.statistics()["faultsInjected", default: 0] > 0)
    }

    @Test func faultsWithoutRetriesGiveClearErrors() async throws {
        let server = try await TestEmulator.start(operations: 2)
        defer { Task { await server.stop() } }
        let client = try server.client(retry: .none)
        let expectations: [(String, (OperationsError) -> Bool)] = [
            ("500", { $0.rpcCode == .internal }),
            ("502", { if case .unexpectedErrorBody(502, _, "502 Bad Gateway") = $0 { true } else { false } }),
            ("503", { $0.rpcCode == .unavailable }),
            ("reset", { if case .transport = $0 { true } else { false } }),
            ("truncated", { if case .transport = $0 { true } else if case .invalidResponse = $0 { true } else { false } }),
        ]
        for (kind, check) in expectations {
            try await server.setFaults(rate: 1, kinds: [kind])
            do {
                _ = try await client.listPage(project: TestEmulator.project)
                Issue.record("fault \(kind) did not surface")
            } catch {
                #expect(check(error), "fault \(kind) gave \(error)")
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test func unreachableEndpointIsATransportError() async throws {
        let client = OperationsClient(
            configuration: .init(endpoint: try ServiceEndpoint("http://127.0.0.1:1"), retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(5))),
            tokenProvider: try StaticAccessTokenProvider(token: "t", source: "test")
        )
        do {
            _ = try await client.listPage(project: "p")
            Issue.record("connected to port 1")
        } catch {
            guard case .transport(let why) = error else { Issue.record("wrong error \(error)"); return }
            #expect(why.contains("refused"))
            #expect(error.isRetryable)
        }
        #expect(client.statistics.retries == 1)
    }
}
