import Foundation

// libFuzzer target: untrusted text through TerminalText's sanitize, asciiOnly, width, truncate and fit.
// The invariants are in FuzzChecks.sanitizeText (Tests/EarthEngineOperationsTests/FuzzChecks.swift).
// Built and run by scripts/fuzz.sh.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let violations = FuzzChecks.sanitizeText(Data(bytes: data, count: size))
    if let first = violations.first {
        fatalError("sanitize-text invariant broken (\(violations.count) in all): \(first)")
    }
    return 0
}
