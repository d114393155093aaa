import EarthEngineOperations
import Foundation
import OperationsEmulator
import Testing

/// The emulator embeds the v1 discovery document and derives v1beta and v1alpha from it; each must equal
/// the reference file in `shared/reference/discovery` (beside the repository, as in CI).
@Suite("Discovery documents")
struct DiscoveryDocumentTests {
    static let referenceDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/reference/discovery")

    @Test(arguments: APIVersion.allCases)
    func matchesTheReference(version: APIVersion) throws {
        let file = Self.referenceDirectory.appendingPathComponent("earthengine.\(version.rawValue).operations-subset.reconstructed.json")
        let reference = try String(contentsOf: file, encoding: .utf8)
        #expect(DiscoveryDocument.json(for: version) == reference.trimmingCharacters(in: .newlines))
    }
}
