import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// `eeops delete`: tells the server the client is no longer interested in operations. Does not cancel them.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete operations (forget their results; this does not cancel them).",
        discussion: "Asks for confirmation on a terminal; without one, --yes is required. Exit status 0 when every delete succeeded, 1 otherwise."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Operation names (projects/P/operations/ID) or ids.")
    var names: [String]

    @Flag(name: .long, help: "Do not ask for confirmation.")
    var yes = false

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
        if !yes {
            guard StandardStream.standardInputIsTerminal else {
                printError("refusing to delete \(resolved.count) operation(s) without confirmation: no terminal to ask on; pass --yes")
                throw ExitCode(ExitStatus.usage)
            }
            StandardStream.error.write("Delete \(resolved.count) operation(s)? Their results will no longer be listed. [y/N] ")
            StandardStream.error.flush()
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                StandardStream.error.write("eeops: nothing deleted\n")
                throw ExitCode(ExitStatus.incomplete)
            }
        }
        let audit: AuditLog
        do { audit = try global.openAuditLog() } catch { throw fail(error) }
        audit.record(resolved.map { AuditEntry(action: .delete, stage: .requested, name: $0.description, tool: "cli") })
        let client = session.client
        let results = await concurrentMap(resolved) { name -> OperationsError? in
            audit.record(AuditEntry(action: .delete, stage: .sent, name: name.description, tool: "cli"))
            do throws(OperationsError) {
                try await client.delete(name)
                audit.record(AuditEntry(action: .delete, stage: .accepted, name: name.description, tool: "cli"))
                return nil
            } catch {
                audit.record(AuditEntry(action: .delete, stage: .rejected, name: name.description, code: error.rpcCode?.name, message: error.description, tool: "cli"))
                return error
            }
        }
        var failures = 0
        for (name, error) in zip(resolved, results) {
            if let error {
                failures += 1
                StandardStream.output.write("\(TerminalText.sanitize(name.operationID))  not deleted: \(TerminalText.sanitize(error.description))\n")
            } else {
                StandardStream.output.write("\(TerminalText.sanitize(name.operationID))  deleted\n")
            }
        }
        StandardStream.output.flush()
        if failures > 0 { throw ExitCode(ExitStatus.incomplete) }
    }
}
