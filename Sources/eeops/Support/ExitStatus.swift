import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// The documented exit statuses of eeops.
enum ExitStatus {
    static let success: Int32 = 0
    /// Not every operation ended as asked.
    static let incomplete: Int32 = 1
    static let timedOut: Int32 = 2
    /// The API could not be used: network, authentication, permission, server errors.
    static let apiError: Int32 = 3
    /// Invalid usage or settings (ArgumentParser's validation errors use the same code).
    static let usage: Int32 = 64
    static let interrupted: Int32 = 130
}

/// Prints one clear line to standard error, `eeops: ...`, with server text neutralised.
func printError(_ message: String) {
    StandardStream.error.write("eeops: " + TerminalText.sanitize(message) + "\n")
}

/// Prints the error (after `context`, when given) and ends the command with the status that fits it.
func fail(_ error: Error, context: String? = nil) -> ExitCode {
    let prefix = context.map { "\($0): " } ?? ""
    switch error {
    case let error as OperationsError:
        printError(prefix + error.description)
        switch error {
        case .configuration, .invalidName, .credentials: return ExitCode(ExitStatus.usage)
        default: return ExitCode(ExitStatus.apiError)
        }
    case let error as NameError:
        printError(error.description)
        return ExitCode(ExitStatus.usage)
    case let exit as ExitCode:
        return exit
    default:
        printError("\(error)")
        return ExitCode(ExitStatus.apiError)
    }
}
