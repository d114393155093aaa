import EarthEngineOperations
import Foundation
@testable import OperationsTUI

/// Deterministic operations and states for headless tests of the reducer and the view.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_763_856_000) // 2025-11-23T00:00:00Z

    static func operation(_ id: String, _ state: OperationState, type: String = "EXPORT_IMAGE", description: String = "",
                          minutesAgo: Double = 10, progress: Double? = nil, eecu: Double? = nil) -> LongRunningOperation {
        let created = now.addingTimeInterval(-minutesAgo * 60)
        var metadata = OperationMetadata(
            typeURL: "type.googleapis.com/google.earthengine.v1.OperationMetadata", state: state, description: description, type: type,
            priority: 100, createTime: created, updateTime: created.addingTimeInterval(30), startTime: state == .pending ? nil : created.addingTimeInterval(5),
            progress: progress, attempt: 1, batchEecuUsageSeconds: eecu
        )
        var error: Status?
        if state == .failed { error = Status(code: 13, message: "Computation timed out.") }
        if state == .cancelled { error = Status(code: 1, message: "Cancelled.") }
        if state.isTerminal { metadata.endTime = created.addingTimeInterval(120) }
        return LongRunningOperation(name: "projects/demo/operations/\(id)", metadata: metadata, done: state.isTerminal, error: error)
    }

    /// A project of eight operations in every state, with descriptions in several scripts.
    static var project: [LongRunningOperation] {
        [
            operation("RUN1AAAAAAAAAAAAAAAAAAAA", .running, description: "森林被覆変化_関東", minutesAgo: 1, progress: 0.42, eecu: 812),
            operation("RUN2BBBBBBBBBBBBBBBBBBBB", .running, type: "INGEST_TABLE", description: "토지피복 분류 🌲", minutesAgo: 2, progress: 0.05, eecu: 12_400),
            operation("PEND3CCCCCCCCCCCCCCCCCCC", .pending, type: "EXPORT_VIDEO", description: "timelapse\u{1B}]0;pwned\u{07} video", minutesAgo: 3),
            operation("DONE4DDDDDDDDDDDDDDDDDDD", .succeeded, type: "EXPORT_FEATURES", description: "मानसून वर्षा", minutesAgo: 30, progress: 1, eecu: 3),
            operation("FAIL5EEEEEEEEEEEEEEEEEEE", .failed, type: "EXPORT_TILES", description: "Phân loại lúa", minutesAgo: 40, progress: 0.3),
            operation("CXL6FFFFFFFFFFFFFFFFFFFF", .cancelled, type: "INGEST_IMAGE", description: "bidi \u{202E}txet desrever", minutesAgo: 50),
            operation("RUN7GGGGGGGGGGGGGGGGGGGG", .running, type: "EXPORT_CLASSIFIER", description: "crop classifier", minutesAgo: 60, progress: 0.9, eecu: 99),
            operation("DONE8HHHHHHHHHHHHHHHHHHH", .succeeded, description: "export_landsat8_composite", minutesAgo: 70, progress: 1),
        ]
    }

    static func state(columns: Int = 80, rows: Int = 24, readOnly: Bool = false, operations: [LongRunningOperation] = project,
                      settings configure: (inout AppState.Settings) -> Void = { _ in }) -> AppState {
        var settings = AppState.Settings(projects: ["demo"], endpoint: "http://127.0.0.1:8080", apiVersion: "v1", authSource: "EEOPS_ACCESS_TOKEN")
        settings.readOnly = readOnly
        configure(&settings)
        var state = AppState(settings: settings, size: TerminalSize(columns: columns, rows: rows), now: now)
        _ = Reducer.reduce(&state, .poller(.initialPage(operations)))
        _ = Reducer.reduce(&state, .poller(.listed(order: nil, at: now)))
        _ = Reducer.reduce(&state, .poller(.schedule(PollSchedule(interval: .seconds(2), completeListingInterval: .seconds(30),
                                                                    trackedInterval: .seconds(1), pagesPerListing: 1, pagesPerCompleteListing: 1,
                                                                    requestsPerSecond: 0.5, isStretched: false))))
        return state
    }

    static func name(_ id: String) -> String { "projects/demo/operations/\(id)" }

    @discardableResult
    static func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for key in keys { effects += Reducer.reduce(&state, .key(key)) }
        return effects
    }

    /// The effects other than log lines and what the poller is told the user sees (ReducerTests.theFocus...).
    static func actions(_ effects: [Effect]) -> [Effect] {
        effects.filter {
            switch $0 {
            case .diagnostic, .focus: false
            default: true
            }
        }
    }

    /// The last focus among `effects`, if any.
    static func focus(_ effects: [Effect]) -> Set<String>? {
        effects.reversed().lazy.compactMap { if case .focus(let names) = $0 { names } else { nil } }.first
    }

    /// The texts of the log lines among `effects`.
    static func logLines(_ effects: [Effect]) -> [String] {
        effects.compactMap { if case .diagnostic(let entry) = $0 { entry.text } else { nil } }
    }

    /// The audit entries among `effects`.
    static func audited(_ effects: [Effect]) -> [AuditEntry] {
        effects.flatMap { effect -> [AuditEntry] in
            guard case .audit(let entries) = effect else { return [] }
            return entries
        }
    }

    static func type(_ state: inout AppState, _ text: String) {
        for character in text { _ = Reducer.reduce(&state, .key(.character(character))) }
    }
}
