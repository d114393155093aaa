import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// `eeops wait`: blocks until operations are done.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until operations are done.",
        discussion: "Exit status 0 only when every operation SUCCEEDED; 1 when any FAILED, was CANCELLED or was not found; 2 when --timeout passed first; 3 on API errors."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Operation names (projects/P/operations/ID) or ids.")
    var names: [String]

    @Option(name: .long, help: "Give up after this long (e.g. 30m); default: wait as long as it takes.")
    var timeout: String?

    func validate() throws {
        guard !names.isEmpty else { throw ValidationError("give at least one operation name or id") }
        if let timeout { _ = try parseDuration(timeout, flag: "--timeout") }
    }

    func run() async throws {
        let session: Session
        let resolved: [OperationName]
        do {
            session = try await global.makeSession(requireProject: false)
            resolved = try session.names(names)
        } catch { throw fail(error) }
        let deadline = try timeout.map { ContinuousClock.now + (try parseDuration($0, flag: "--timeout")) }
        let client = session.client
        let results = await concurrentMap(resolved) { name in await Self.waitForOne(name, client: client, deadline: deadline) }
        var status = ExitStatus.success
        for (name, result) in zip(resolved, results) {
            switch result {
            case .success(let operation) where operation.done:
                let error = OperationFormatting.error(operation)
                StandardStream.output.write("\(TerminalText.sanitize(name.operationID))  \(operation.state.apiValue)\(error.isEmpty ? "" : "  \(error)")\n")
                if operation.state != .succeeded { status = max(status, ExitStatus.incomplete) }
            case .success(let operation):
                StandardStream.output.write("\(TerminalText.sanitize(name.operationID))  still \(operation.state.apiValue) at timeout\n")
                status = max(status, ExitStatus.timedOut)
            case .failure(let error):
                printError("\(name): \(error)")
                status = max(status, error.rpcCode == .notFound ? ExitStatus.incomplete : ExitStatus.apiError)
            }
        }
        StandardStream.output.flush()
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// Uses the API's `wait` method in slices of up to 30 s; falls back to polling `get` every 5 s when
    /// the server does not implement `wait`.
    static func waitForOne(_ name: OperationName, client: OperationsClient, deadline: ContinuousClock.Instant?) async -> Result<LongRunningOperation, OperationsError> {
        var useWaitMethod = true
        while true {
            let remaining = deadline.map { ContinuousClock.now.duration(to: $0) } ?? .seconds(30)
            do throws(OperationsError) {
                let operation: LongRunningOperation
                if useWaitMethod {
                    do throws(OperationsError) {
                        operation = try await client.wait(name, timeout: max(.zero, min(.seconds(30), remaining)))
                    } catch where error.rpcCode == .unimplemented {
                        useWaitMethod = false
                        continue
                    }
                } else {
                    operation = try await client.get(name)
                }
                if operation.done { return .success(operation) }
                if let deadline, ContinuousClock.now >= deadline { return .success(operation) }
                if !useWaitMethod { try? await Task.sleep(for: min(.seconds(5), max(.milliseconds(10), remaining))) }
            } catch {
                return .failure(error)
            }
        }
    }
}
