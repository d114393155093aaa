@testable import EarthEngineOperations
import Testing

@Suite("SortedMap, the indexes of a long history")
struct SortedMapTests {
    /// Thousands of random changes, one at a time and in batches, give the same map as a `Dictionary` given the
    /// same changes, with the keys always sorted and each once.
    @Test func agreesWithADictionaryUnderRandomChanges() {
        var random = SystemRandomNumberGenerator()
        var map = SortedMap<Int, Int>()
        var model: [Int: Int] = [:]
        for step in 0..<3000 {
            switch Int.random(in: 0..<6, using: &random) {
            case 0, 1:
                let key = Int.random(in: 0..<500, using: &random)
                map[key] = step
                model[key] = step
            case 2:
                let key = Int.random(in: 0..<500, using: &random)
                map[key] = nil
                model[key] = nil
            case 3:
                // A batch with repeated keys: the last value of a key wins.
                let pairs = (0..<Int.random(in: 0..<40, using: &random)).map { _ in (Int.random(in: 0..<500, using: &random), Int.random(in: 0..<1000, using: &random)) }
                map.merge(pairs)
                for (key, value) in pairs { model[key] = value }
            case 4:
                // A change in place: only a key that is there, and the value as changed.
                let key = Int.random(in: 0..<500, using: &random)
                let changed = map.update(key) { $0 += 7 }
                if let value = model[key] { model[key] = value + 7 }
                #expect(changed == model[key])
            default:
                let cut = Int.random(in: 0..<1000, using: &random)
                map.removeAll { _, value in value < cut && value % 3 == 0 }
                model = model.filter { !($0.value < cut && $0.value % 3 == 0) }
            }
        }
        #expect(map.keys == model.keys.sorted())
        #expect(map.count == model.count)
        #expect(map.keys.allSatisfy { map[$0] == model[$0] })
        #expect((0..<500).allSatisfy { map.contains($0) == (model[$0] != nil) })
    }

    @Test func anEmptyMapAndEmptyBatches() {
        var map = SortedMap<String, Int>([("b", 1), ("a", 2), ("b", 3)])
        #expect(map.keys == ["a", "b"] && map["b"] == 3)
        map.merge([])
        map.removeAll { _, _ in false }
        #expect(map.count == 2)
        map.removeAll { _, _ in true }
        #expect(map.isEmpty && map["a"] == nil)
    }
}
