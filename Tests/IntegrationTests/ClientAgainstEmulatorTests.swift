import EarthEngineOperations
import Foundation
import OperationsEmulator
import Testing

@Suite("The client against the emulator over loopback HTTP")
struct ClientAgainstEmulatorTests {
    /// The next page is requested before the current one is handed over: when the third request fails, the
    /// two pages that did arrive have still been handed over before the error.
    @Test func aListingThatFailsHandsOverWhatArrived() async throws {
        let answered = Locked(0)
        let server = try RawHTTPServer {
            let call = answered.withLock { $0 += 1; return $0 }
            guard call <= 2 else {
                let body = #"{"error":{"code":503,"message":"Backend unavailable.","status":"UNAVAILABLE"}}"#
                return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            }
            let body = #"{"operations":[{"name":"projects/p/operations/PAGE\#(call)","metadata":{"state":"RUNNING"}}],"nextPageToken":"AFTER\#(call)"}"#
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        }
        defer { server.stop() }
        let client = OperationsClient(configuration: .init(endpoint: try ServiceEndpoint("http://127.0.0.1:\(server.port)"), retryPolicy: .none),
                                      tokenProvider: try StaticAccessTokenProvider(token: "pages-token", source: "test"))
        var received: [String] = []
        await #expect(throws: OperationsError.self) {
            try await client.listAll(project: "p") { page in received += page.map(\.name) }
        }
        #expect(received == ["projects/p/operations/PAGE1", "projects/p/operations/PAGE2"])
    }

    /// Without a limit, the next pages are fetched while the consumer is still busy with the first, but no
    /// more than two of them.
    @Test func aListingRunsAheadOfASlowConsumerByTwoPagesAtMost() async throws {
        let answered = Locked(0)
        let server = try RawHTTPServer {
            let call = answered.withLock { $0 += 1; return $0 }
            let next = call < 6 ? #","nextPageToken":"AFTER\#(call)""# : ""
            let body = #"{"operations":[{"name":"projects/p/operations/PAGE\#(call)","metadata":{"state":"RUNNING"}}]\#(next)}"#
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        }
        defer { server.stop() }
        let client = OperationsClient(configuration: .init(endpoint: try ServiceEndpoint("http://127.0.0.1:\(server.port)"), retryPolicy: .none),
                                      tokenProvider: try StaticAccessTokenProvider(token: "pages-token", source: "test"))
        var received: [String] = []
        var answeredDuringFirstPage = 0
        try await client.listAll(project: "p") { page in
            if received.isEmpty {
                // Wait for the two pages ahead (generously: the sanitizer runs are slow), then long enough for a
                // fourth request to arrive if the listing were going to make one.
                let deadline = ContinuousClock.now + .seconds(20)
                while answered.withLock({ $0 }) < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: .milliseconds(300))
                answeredDuringFirstPage = answered.withLock { $0 }
            }
            received += page.map(\.name)
        }
        #expect(answeredDuringFirstPage == 3, "the first page and the two after it")
        #expect(received == (1...6).map { "projects/p/operations/PAGE\($0)" })
        #expect(answered.withLock { $0 } == 6)
    }

    @Test func listsEveryOperationAcrossPagesWithoutDuplicates() async throws {
        let server = try await TestEmulator.start(operations: 250)
        defer { Task { await server.stop() } }
        let client = try server.client()
        var pages: [[LongRunningOperation]] = []
        let total = try await client.listAll(project: TestEmulator.project, pageSize: 100) { pages.append($0) }
        #expect(total == 250)
        #expect(pages.map(\.count) == [100, 100, 50])
        let names = pages.flatMap { $0.map(\.name) }
        #expect(Set(names).count == 250)
        let created = pages.flatMap { $0.compactMap { $0.metadata?.createTime } }
        #expect(created == created.sorted(by: >), "newest first")
        let types = Set(pages.flatMap { $0.compactMap { $0.metadata?.type } })
        #expect(types.isSuperset(of: ["EXPORT_IMAGE", "EXPORT_FEATURES", "INGEST_IMAGE", "INGEST_TABLE"]))
        let states = Set(pages.flatMap { $0.map(\.state) })
        #expect(states.isSuperset(of: [.succeeded, .failed, .running]))
        // Default page size 100, and larger pages are capped at 1000.
        #expect(try await client.listPage(project: TestEmulator.project).operations.count == 100)
        let all = try await client.listPage(project: TestEmulator.project, pageSize: 5000)
        #expect(all.operations.count == 250)
        #expect(all.nextPageToken == nil)
    }

    /// The page token must name the last operation exactly: a token that lost precision in its timestamp
    /// repeated or skipped the operation at each page boundary (found by the list benchmark's Python check).
    @Test func pagesAreExactAtTheirBoundariesWithoutTheClientsDeduplication() async throws {
        let server = try await TestEmulator.start(operations: 500)
        defer { Task { await server.stop() } }
        let client = try server.client()
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await client.listPage(project: TestEmulator.project, pageSize: 7, pageToken: token)
            names += page.operations.map(\.name)
            token = page.nextPageToken
        } while token != nil
        #expect(names.count == 500)
        #expect(Set(names).count == 500)
    }

    /// The test controls and the token endpoint are not served unless asked for: anyone who can reach the port
    /// could otherwise steer the emulator or be handed tokens.
    @Test func testControlsAndTheTokenEndpointAreOffByDefault() async throws {
        let server = try await TestEmulator.start { $0.testControls = false }
        defer { Task { await server.stop() } }
        let (statsStatus, _) = try await server.raw("GET", "/_emulator/stats")
        #expect(statsStatus == 404)
        let (clockStatus, _) = try await server.raw("POST", "/_emulator/clock:advance")
        #expect(clockStatus == 404)
        let (tokenStatus, _) = try await server.raw("POST", "/token")
        #expect(tokenStatus == 404)
        let (listStatus, _) = try await server.raw("GET", "/v1/projects/\(TestEmulator.project)/operations")
        #expect(listStatus == 200, "the API itself is served")
    }

    @Test func emptyProjectAnswersAnEmptyObject() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let (status, body) = try await server.raw("GET", "/v1/projects/\(TestEmulator.project)/operations")
        #expect(status == 200)
        #expect(body == "{}")
    }

    @Test func getReturnsWhatTheListHolds() async throws {
        let server = try await TestEmulator.start(operations: 30)
        defer { Task { await server.stop() } }
        let client = try server.client()
        let listed = try await client.listPage(project: TestEmulator.project, pageSize: 30).operations
        for operation in listed.prefix(10) {
            let fetched = try await client.get(try #require(OperationName(validating: operation.name)))
            #expect(fetched == operation)
        }
    }

    @Test(arguments: APIVersion.allCases)
    func everyAPIVersionWorks(version: APIVersion) async throws {
        let server = try await TestEmulator.start(operations: 3)
        defer { Task { await server.stop() } }
        let client = try server.client(version: version)
        let page = try await client.listPage(project: TestEmulator.project)
        #expect(page.operations.count == 3)
        #expect(page.operations.allSatisfy { $0.metadata?.typeURL == "type.googleapis.com/google.earthengine.\(version.rawValue).OperationMetadata" })
        let (status, body) = try await server.raw("GET", "/$discovery/rest?version=\(version.rawValue)")
        #expect(status == 200)
        #expect(body.contains("\"version\": \"\(version.rawValue)\""))
        #expect(body.contains("\"rootUrl\": \"\(server.emulator.baseURL)/\""))
    }

    @Test func cancelGoesThroughCancellingToCancelledAndIsNotDeleted() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create(["cancel": "cancels", "runSeconds": 600])
        #expect(try await client.get(name).state == .running)
        #expect(await client.requestCancel(name) == .requested)
        let cancelling = try await client.get(name)
        #expect(cancelling.state == .cancelling)
        #expect(!cancelling.done)
        #expect(await client.requestCancel(name) == .requested, "cancel is idempotent while CANCELLING")
        try await server.advance(seconds: 4)
        let cancelled = try await client.get(name)
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.done)
        #expect(cancelled.error?.code == 1)
        #expect(cancelled.response == nil)
        let listed = try await client.listPage(project: TestEmulator.project).operations
        #expect(listed.contains { $0.name == name.description && $0.state == .cancelled })
        #expect(CancelOutcome.observed(cancelled.state) == .cancelled)
    }

    @Test func operationCanCompleteDespiteCancel() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create(["cancel": "completes"])
        #expect(await client.requestCancel(name) == .requested)
        #expect(try await client.get(name).state == .cancelling)
        try await server.advance(seconds: 4)
        let finished = try await client.get(name)
        #expect(finished.state == .succeeded)
        #expect(finished.done && finished.error == nil)
        #expect(CancelOutcome.observed(finished.state) == .finishedDespiteCancel(.succeeded))
    }

    @Test func unimplementedCancelIsReported() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create(["cancel": "unimplemented"])
        await #expect(throws: OperationsError.self) { try await client.cancel(name) }
        #expect(await client.requestCancel(name) == .unsupported)
        #expect(try await client.get(name).state == .running)
    }

    @Test func cancelOfAFinishedOperationIsFailedPrecondition() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create(["state": "SUCCEEDED"])
        do {
            try await client.cancel(name)
            Issue.record("cancel of a finished operation was accepted")
        } catch {
            #expect(error.rpcCode == .failedPrecondition)
        }
        #expect(await client.requestCancel(name) == .alreadyDone(.succeeded))
    }

    @Test func operationsMoveThroughTheirLifecycleAsTheClockRuns() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let ok = try await server.create(["state": "PENDING", "pendingSeconds": 10, "runSeconds": 100])
        let bad = try await server.create(["pendingSeconds": 0, "runSeconds": 50, "state": "RUNNING", "failureMessage": "User memory limit exceeded."])
        #expect(try await client.get(ok).state == .pending)
        try await server.advance(seconds: 60)
        let running = try await client.get(ok)
        #expect(running.state == .running)
        #expect((running.metadata?.progress ?? 0) > 0.4)
        #expect((running.metadata?.batchEecuUsageSeconds ?? 0) > 0)
        #expect(running.metadata?.attempt == 1)
        #expect(try await client.get(bad).state == .succeeded)
        try await server.advance(seconds: 100)
        let done = try await client.get(ok)
        #expect(done.state == .succeeded)
        #expect(done.metadata?.progress == 1)
        #expect(!(done.metadata?.destinationUris.isEmpty ?? true))
        #expect(done.metadata?.endTime != nil)
    }

    @Test func failedOperationCarriesItsError() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let failed = try await server.create(["state": "FAILED", "failureMessage": "User memory limit exceeded."])
        let operation = try await client.get(failed)
        #expect(operation.state == .failed)
        #expect(operation.error?.message == "User memory limit exceeded.")
        #expect(operation.done)
    }

    @Test func waitReturnsAtTimeoutOrWhenDone() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create(["runSeconds": 30])
        let early = try await client.wait(name, timeout: .milliseconds(200))
        #expect(!early.done)
        try await server.advance(seconds: 31)
        let done = try await client.wait(name, timeout: .seconds(5))
        #expect(done.done && done.state == .succeeded)
    }

    @Test func deleteForgetsTheOperation() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        let name = try await server.create([:])
        try await client.delete(name)
        do {
            _ = try await client.get(name)
            Issue.record("deleted operation still found")
        } catch {
            #expect(error.rpcCode == .notFound)
        }
    }

    @Test func idsWithSlashesAndReservedCharactersRoundTrip() async throws {
        let server = try await TestEmulator.start()
        defer { Task { await server.stop() } }
        let client = try server.client()
        for id in ["batch/2024/01/ABC", "weird?#%ö:x", "a+b=c&d"] {
            let name = try await server.create(["id": id])
            #expect(name.operationID == id)
            let fetched = try await client.get(name)
            #expect(fetched.name == "projects/\(TestEmulator.project)/operations/\(id)")
            #expect(await client.requestCancel(name) == .requested)
        }
    }

    @Test func authenticationAndProjectAccessAreChecked() async throws {
        let server = try await TestEmulator.start(operations: 2)
        defer { Task { await server.stop() } }
        do {
            _ = try await server.client(token: "not-a-valid-token").listPage(project: TestEmulator.project)
            Issue.record("a wrong token was accepted")
        } catch let error as OperationsError {
            #expect(error.rpcCode == .unauthenticated)
            #expect(!error.description.contains("not-a-valid-token"))
        }
        do {
            _ = try await server.client().listPage(project: "someone-elses")
            Issue.record("another project was served")
        } catch let error as OperationsError {
            #expect(error.rpcCode == .permissionDenied)
        }
        let (status, body) = try await server.raw("GET", "/v1/projects/\(TestEmulator.project)/operations", headers: [:])
        #expect(status == 401)
        #expect(body.contains("\"status\":\"UNAUTHENTICATED\""))
        do {
            _ = try await server.client().get(try server.name("NOPE"))
            Issue.record("unknown operation found")
        } catch let error as OperationsError {
            #expect(error.rpcCode == .notFound)
            #expect(error.description.contains("NOT_FOUND"))
        }
    }

    @Test func invalidPageTokensAndSizesAreRejected() async throws {
        let server = try await TestEmulator.start(operations: 5)
        defer { Task { await server.stop() } }
        let client = try server.client()
        do {
            _ = try await client.listPage(project: TestEmulator.project, pageToken: "garbage!!")
            Issue.record("garbage token accepted")
        } catch {
            #expect(error.rpcCode == .invalidArgument)
        }
        let (status, _) = try await server.raw("GET", "/v1/projects/\(TestEmulator.project)/operations?pageSize=-1")
        #expect(status == 400)
    }
}
