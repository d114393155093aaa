import EarthEngineOperations
import Foundation
import OperationsEmulator
import Testing

/// The emulator embeds the v1 discovery document and derives v1beta and v1alpha from it; each must equal
/// the reference file kept in `Tests/Fixtures/discovery` (rebuilt from the public REST reference).
@Suite("Discovery documents")
struct DiscoveryDocumentTests {
    static let referenceDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/discovery")

    @Test(arguments: APIVersion.allCases)
    func matchesTheReference(version: APIVersion) throws {
        let file = Self.referenceDirectory.appendingPathComponent("earthengine.\(version.rawValue).operations-subset.reconstructed.json")
        let reference = try String(contentsOf: file, encoding: .utf8)
        #expect(DiscoveryDocument.json(for: version) == reference.trimmingCharacters(in: .newlines))
    }
}
