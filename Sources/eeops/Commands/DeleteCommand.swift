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
        let batch = try InterruptibleBatch.start(.delete, of: resolved, audit: audit)
        let gate = batch.gate
        let client = session.client
        var failures = 0
        let (_, interrupted) = await batch.run(
            resolved,
            request: { name -> DeleteOutcome in
                let key = name.description
                let outcome: DeleteOutcome
                do throws(OperationsError) {
                    try await client.delete(name, willSend: { () throws(OperationsError) in
                        try gate.admit(key) { () throws(AuditWriteError) in
                            try audit.record(AuditEntry(action: .delete, stage: .sent, name: key, tool: "cli"))
                        }
                    })
                    outcome = .deleted
                } catch {
                    if case .notSent(let why) = error { outcome = .notSent(why) }
                    else if !gate.wasSent(key) { outcome = .notSent(gate.stopReason ?? "interrupted") }
                    else { outcome = .refused(error) }
                }
                do throws(AuditWriteError) { try audit.record(outcome.auditEntry(name: key)) } catch { gate.stop(because: "\(error.description): stopped sending") }
                return outcome
            },
            unanswered: { name in
                let outcome = DeleteOutcome.stopped(wasSent: gate.wasSent(name.description), because: gate.stopReason ?? "interrupted")
                try? audit.record(outcome.auditEntry(name: name.description))
                return outcome
            },
            onOutcome: { name, outcome in
                if case .deleted = outcome {} else { failures += 1 }
                StandardStream.output.write("\(TerminalText.sanitize(name.operationID))  \(TerminalText.sanitize(outcome.description))\n")
                StandardStream.output.flush()
            }
        )
        if let reason = gate.stopReason { printError(reason) }
        if let failure = audit.failure { printError("\(failure.description): the log is incomplete from then on") }
        if interrupted != nil { throw ExitCode(ExitStatus.interrupted) }
        if failures > 0 { throw ExitCode(ExitStatus.incomplete) }
    }
}

/// What became of one delete request.
enum DeleteOutcome: Sendable {
    case deleted
    case refused(OperationsError)
    case notSent(String)
    case unanswered

    /// A delete still unanswered when eeops stopped: sent and unanswered, or never sent.
    static func stopped(wasSent: Bool, because reason: String) -> DeleteOutcome {
        wasSent ? .unanswered : .notSent(reason)
    }

    var description: String {
        switch self {
        case .deleted: "deleted"
        case .refused(let error): "not deleted: \(error.description)"
        case .notSent(let why): "not sent: \(why)"
        case .unanswered: "sent, no answer before eeops stopped; check it with eeops get"
        }
    }

    /// The audit log's line for it.
    func auditEntry(name: String) -> AuditEntry {
        switch self {
        case .deleted: AuditEntry(action: .delete, stage: .accepted, name: name, tool: "cli")
        case .refused(let error): AuditEntry(action: .delete, stage: .rejected, name: name, code: error.rpcCode?.name, message: error.description, tool: "cli")
        case .notSent(let why): AuditEntry(action: .delete, stage: .notSent, name: name, outcome: "not sent", message: why, tool: "cli")
        case .unanswered: AuditEntry(action: .delete, stage: .unanswered, name: name, outcome: "no answer before exit", tool: "cli")
        }
    }
}
