import Foundation

// libFuzzer target: server answers (a list page, an operation, an error envelope) decoded as the client
// decodes them, then shown as eeops shows them. The invariants are in FuzzChecks.decodeResponse
// (Tests/EarthEngineOperationsTests/FuzzChecks.swift). Built and run by scripts/fuzz.sh.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let violations = FuzzChecks.decodeResponse(Data(bytes: data, count: size))
    if let first = violations.first {
        fatalError("decode-response invariant broken (\(violations.count) in all): \(first)")
    }
    return 0
}
