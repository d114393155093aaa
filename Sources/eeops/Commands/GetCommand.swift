import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// `eeops get`: one or more operations in full.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show operations by name or id.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Operation names (projects/P/operations/ID) or ids.")
    var names: [String]

    @Option(name: .long, help: "Output format.")
    var format: ListFormat = .table

    func validate() throws {
        guard !names.isEmpty else { throw ValidationError("give at least one operation name or id") }
    }

    func run() async throws {
        let session: Session
        let resolved: [OperationName]
        do {
            session = try await global.makeSession(requireProject: false)
            resolved = try session.names(names)
        } catch { throw fail(error) }
        // As the server sent them, so that JSON output keeps every field.
        let results = await concurrentMap(resolved) { name -> Result<ReceivedPage, OperationsError> in
            do throws(OperationsError) { return .success(try await session.client.getReceived(name)) } catch { return .failure(error) }
        }
        let output = StandardStream.output
        var writer = OperationListWriter(format: format, terminalWidth: output.terminalWidth) { output.write($0) }
        writer.begin()
        var status = ExitStatus.success
        for (name, result) in zip(resolved, results) {
            switch result {
            case .success(let operation): writer.write(operation)
            case .failure(let error):
                printError("\(name): \(error)")
                status = max(status, error.rpcCode == .notFound ? ExitStatus.incomplete : ExitStatus.apiError)
            }
        }
        writer.end()
        output.flush()
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

/// Runs `transform` on every element concurrently (the client's limiter bounds the requests) and
/// returns the results in input order.
func concurrentMap<Element: Sendable, Output: Sendable>(_ elements: [Element], _ transform: @escaping @Sendable (Element) async -> Output) async -> [Output] {
    await withTaskGroup(of: (Int, Output).self) { group in
        for (index, element) in elements.enumerated() {
            group.addTask { (index, await transform(element)) }
        }
        var results = [Output?](repeating: nil, count: elements.count)
        for await (index, output) in group { results[index] = output }
        return results.map { $0! }
    }
}
