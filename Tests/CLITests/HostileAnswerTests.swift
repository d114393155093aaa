import EarthEngineOperations
import Foundation
import TestSupport
import Testing

/// The eeops binary (the release build in `make test`) against a server that answers what the real API never
/// should: absurd headers, escape sequences in states, a `wait` that returns at once, operations of another
/// project. Each gives a clear result: no crash, nothing raw on the terminal, no request storm.
@Suite("The command line against hostile answers", .serialized)
struct HostileAnswerTests {
    static let environment = ["EEOPS_PROJECT": "p", "EEOPS_ACCESS_TOKEN": "hostile-test-token"]

    func withServer(_ script: @escaping @Sendable (_ path: String, _ request: Int) -> HostileServer.Answer,
                    _ body: ([String: String], Locked<[String]>) async throws -> Void) async throws {
        let seen = Locked<[String]>([])
        let server = try await HostileServer.start { request in
            seen.withLock { $0.append(request.path) }
            return script(request.path, request.number)
        }
        do {
            try await body(Self.environment.merging(["EEOPS_ENDPOINT": server.baseURL]) { $1 }, seen)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func operation(_ id: String, state: String, done: Bool = false) -> String {
        #"{"name":"projects/p/operations/\#(id)","metadata":{"state":"\#(state)","type":"EXPORT_IMAGE","description":"d"}\#(done ? #","done":true,"response":{}"# : "")}"#
    }

    /// `Retry-After: 1e19` trapped the conversion to an integer in every command (exit 132). Clamped, the client
    /// waits its longest retry delay instead, and an interrupt ends it as usual.
    @Test(arguments: ["1e19", "Fri, 31 Dec 9999 23:59:59 GMT", "-1e400", "nan"])
    func absurdRetryAfterDoesNotCrash(value: String) async throws {
        try await withServer({ _, _ in
            HostileServer.Answer(status: 503, #"{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}"#, headers: [("Retry-After", value)])
        }) { env, seen in
            let result = try await Binary.run(["list"], environment: env, timeout: 3)
            #expect(result.status == SIGINT || result.status == 3, "\(value): status \(result.status) \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
            #expect(seen.withLock { $0.count } >= 1)
        }
    }

    /// A state carrying an OSC sequence reached the terminal raw from `wait`; `get` and `watch` go through the same
    /// sanitiser, also when the output is not a terminal.
    @Test func serverTextInWaitAndGetIsNeutralised() async throws {
        let evil = #"RUN\u001b]0;pwned\u0007NING"#
        try await withServer({ _, _ in HostileServer.Answer(Self.operation("EVIL", state: evil, done: true)) }) { env, _ in
            let wait = try await Binary.run(["wait", "EVIL"], environment: env)
            #expect(!wait.stdout.contains("\u{1B}") && !wait.stdout.contains("\u{07}"), "\(wait.stdout.debugDescription)")
            #expect(wait.stdout.contains("RUN^[]0;pwned^GNING"), "\(wait.stdout)")
            let get = try await Binary.run(["get", "EVIL"], environment: env)
            #expect(!get.stdout.contains("\u{1B}"), "\(get.stdout.debugDescription)")
        }
    }

    /// Errors quote the server's text neutralised and capped: a proxy's page, an envelope's message of 100 KB.
    @Test func errorTextIsNeutralisedAndCapped() async throws {
        let long = String(repeating: "\\u001b[31mX", count: 20_000)
        try await withServer({ _, _ in
            HostileServer.Answer(status: 400, #"{"error":{"code":400,"message":"\#(long)","status":"INVALID_ARGUMENT"}}"#)
        }) { env, _ in
            let result = try await Binary.run(["list"], environment: env)
            #expect(result.status == 3)
            #expect(!result.stderr.contains("\u{1B}"))
            #expect(result.stderr.count < 1500, "\(result.stderr.count) characters")
            #expect(result.stderr.contains("more characters"))
        }
        try await withServer({ _, _ in
            HostileServer.Answer(status: 502, contentType: "text/html", "<html><title>Bad \u{1B}]0;x\u{07} Gateway</title></html>")
        }) { env, _ in
            let result = try await Binary.run(["get", "X"], environment: env, timeout: 60)
            #expect(!result.stderr.contains("\u{1B}"), "\(result.stderr.debugDescription)")
        }
    }

    /// A server whose `wait` answers at once: `eeops wait --timeout 6s` made 138 requests (23 a second) for one
    /// operation. Within its budget (10 a second at most, with backoff while nothing changes) it makes a few.
    @Test func waitKeepsToItsBudgetWhenTheServerAnswersAtOnce() async throws {
        try await withServer({ _, _ in HostileServer.Answer(Self.operation("SLOWOP", state: "RUNNING")) }) { env, seen in
            let started = ContinuousClock.now
            let result = try await Binary.run(["wait", "SLOWOP", "--timeout", "6s"], environment: env)
            let elapsed = started.duration(to: .now)
            #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("still RUNNING at timeout"))
            let requests = seen.withLock { $0.count }
            #expect(requests <= Int(elapsed.seconds * 2) + 2, "\(requests) requests in \(elapsed)")
            #expect(requests >= 3, "it kept asking: \(requests)")
        }
    }

    /// `cancel --all` sends nothing for an operation the server lists under another project.
    @Test func cancelAllLeavesOtherProjectsAlone() async throws {
        let page = #"{"operations":[\#(Self.operation("MINE", state: "RUNNING")),\#(Self.operation("MINE", state: "RUNNING").replacingOccurrences(of: "projects/p/operations/MINE", with: "projects/other/operations/THEIRS"))]}"#
        try await withServer({ path, _ in
            path.hasSuffix(":cancel") ? HostileServer.Answer("{}") : HostileServer.Answer(page)
        }) { env, seen in
            let log = NSTemporaryDirectory() + "eeops-foreign-\(UUID().uuidString).jsonl"
            let result = try await Binary.run(["cancel", "--all", "--yes", "--audit-log", log], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("another project"), "\(result.stderr)")
            let cancels = seen.withLock { $0.filter { $0.hasSuffix(":cancel") } }
            #expect(cancels == ["/v1/projects/p/operations/MINE:cancel"], "\(cancels)")
        }
    }
}
