import Testing
@testable import EarthEngineOperations

@Suite("The names a listing has seen")
struct SeenNamesTests {
    /// What a `Set<String>` says, over names that share prefixes, differ in a byte, are empty or not ASCII, and
    /// more of them than the table first holds (so that it grows), each inserted twice.
    @Test func answersAsASetOfStringsWould() {
        var seen = SeenNames()
        var reference = Set<String>()
        var names = ["", "a", "ab", "abc", "b", "ba", "projects/p/operations/A", "projects/p/operations/AB", "projects/p/operations/B", "é", "日本"]
        names += (0..<5000).map { "projects/p/operations/\($0 % 3000)" }
        for name in names + names.reversed() {
            let inserted = seen.insert(name)
            #expect(inserted == reference.insert(name).inserted, "\(name)")
        }
        #expect(seen.count == reference.count && seen.count == 3011)
    }

    /// Room reserved up front, then filled past it.
    @Test func growsPastWhatWasReserved() {
        var seen = SeenNames()
        seen.reserveCapacity(10)
        let first = (0..<100).map { seen.insert("n\($0)") }
        let again = (0..<100).map { seen.insert("n\($0)") }
        #expect(first.allSatisfy { $0 } && again.allSatisfy { !$0 })
        #expect(seen.count == 100)
    }

    /// Names the server tells apart by their bytes stay apart, even when Unicode calls them equivalent.
    @Test func comparesBytesAsTheServerDoes() {
        var seen = SeenNames()
        let inserted = ["projects/p/operations/\u{E9}", "projects/p/operations/e\u{301}", "projects/p/operations/\u{E9}"].map { seen.insert($0) }
        #expect(inserted == [true, true, false])
    }
}
