import EarthEngineOperations
import Foundation

/// The operations of one simulated project, newest first, with keyset pagination.
struct SimulatedProject: Sendable {
    let name: String
    /// Sorted by creation time, newest first, then by id.
    private(set) var operations: [SimulatedOperation]
    private var indexByID: [String: Int]
    private var generator: OperationGenerator
    private let submitInterval: Duration?
    private let clockStart: Date
    private var submittedCount = 0

    init(name: String, operations: [SimulatedOperation], generator: OperationGenerator, submitInterval: Duration?, clockStart: Date) {
        self.name = name
        self.operations = operations.sorted(by: SimulatedProject.newestFirst)
        self.indexByID = [:]
        self.generator = generator
        self.submitInterval = submitInterval
        self.clockStart = clockStart
        reindex()
    }

    private static func newestFirst(_ a: SimulatedOperation, _ b: SimulatedOperation) -> Bool {
        a.createTime != b.createTime ? a.createTime > b.createTime : a.id < b.id
    }

    private mutating func reindex() {
        indexByID = Dictionary(uniqueKeysWithValues: operations.enumerated().map { ($1.id, $0) })
    }

    /// Submits the operations that the simulated users created up to `now`.
    mutating func catchUp(to now: Date) {
        guard let interval = submitInterval?.seconds, interval > 0 else { return }
        let due = Int(now.timeIntervalSince(clockStart) / interval)
        guard due > submittedCount else { return }
        while submittedCount < due {
            submittedCount += 1
            let createdAt = clockStart.addingTimeInterval(Double(submittedCount) * interval)
            operations.append(generator.submitted(index: operations.count + submittedCount, now: createdAt))
        }
        operations.sort(by: SimulatedProject.newestFirst)
        reindex()
    }

    func operation(id: String) -> SimulatedOperation? {
        indexByID[id].map { operations[$0] }
    }

    mutating func update(id: String, _ change: (inout SimulatedOperation) -> Void) {
        guard let index = indexByID[id] else { return }
        change(&operations[index])
    }

    mutating func insert(_ operation: SimulatedOperation) {
        if let index = indexByID[operation.id] { operations.remove(at: index) }
        operations.append(operation)
        operations.sort(by: SimulatedProject.newestFirst)
        reindex()
    }

    mutating func remove(id: String) -> Bool {
        guard let index = indexByID[id] else { return false }
        operations.remove(at: index)
        reindex()
        return true
    }

    /// A page of at most `size` operations after the one the token names.
    func page(size: Int, after token: PageToken?) -> (ArraySlice<SimulatedOperation>, PageToken?) {
        var start = 0
        if let token {
            // The first operation that sorts after the token's position (binary search, newest first).
            var low = 0, high = operations.count
            while low < high {
                let mid = (low + high) / 2
                let candidate = operations[mid]
                let isBefore = candidate.createTime > token.createTime || (candidate.createTime == token.createTime && candidate.id <= token.id)
                if isBefore { low = mid + 1 } else { high = mid }
            }
            start = low
        }
        let end = min(operations.count, start + size)
        let slice = operations[start..<end]
        let next = end < operations.count ? slice.last.map { PageToken(createTime: $0.createTime, id: $0.id) } : nil
        return (slice, next)
    }
}

/// An opaque page token: the position of the last operation returned, so that pages stay consistent
/// while operations are added or deleted.
struct PageToken: Sendable {
    let createTime: Date
    let id: String

    var encoded: String {
        let raw = "\(createTime.timeIntervalSinceReferenceDate.bitPattern)|\(id)"
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    init(createTime: Date, id: String) {
        self.createTime = createTime
        self.id = id
    }

    init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let raw = String(data: data, encoding: .utf8),
              let bar = raw.firstIndex(of: "|"), let bits = UInt64(raw[..<bar])
        else { return nil }
        createTime = Date(timeIntervalSinceReferenceDate: Double(bitPattern: bits)) // exact: Date stores this interval
        id = String(raw[raw.index(after: bar)...])
    }
}
