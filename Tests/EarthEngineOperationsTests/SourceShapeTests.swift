import Foundation
import Testing

/// Shapes of code that the compiler in use gets wrong, kept out of the sources (docs/known-compiler-bugs.md).
@Suite("Source shapes the compiler miscompiles")
struct SourceShapeTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// Swift 6.3.1 at -O drops the first element of a tuple built around a typed-throws `try await`: the release
    /// build of `cancel --all --wait` crashed on it.
    @Test func noResultTupleIsBuiltAroundATypedThrowsAwait() throws {
        let shape = try Regex(#"return\s*\([^()]*,\s*\.success\(\s*try\s+await"#)
        var offenders: [String] = []
        let files = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
        var swiftFiles = 0
        for case let file as URL in files where file.pathExtension == "swift" {
            swiftFiles += 1
            let text = try String(contentsOf: file, encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(shape) {
                offenders.append("\(file.lastPathComponent):\(index + 1)")
            }
        }
        #expect(swiftFiles > 50, "the sources were found")
        #expect(offenders.isEmpty, "make the Result first, then the tuple: \(offenders)")
    }
}
