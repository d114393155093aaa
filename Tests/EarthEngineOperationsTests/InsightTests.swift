import Foundation
import Testing
@testable import EarthEngineOperations
@testable import OperationsPresentation

/// The operator's view computed from operations: failure groups, EECU totals, the queue estimate and the
/// summary that holds them, and how `eeops summary` and `--group-by error` print them.
@Suite("The operator's view")
struct InsightTests {
    static let now = Date(timeIntervalSince1970: 1_763_856_000)

    /// An operation in `state`, created `created` seconds before now; started and ended at the given offsets
    /// (seconds before now) when they are set.
    static func operation(
        _ id: String, _ state: OperationState, type: String = "EXPORT_IMAGE", created: Double = 3600, started: Double? = nil,
        ended: Double? = nil, eecu: Double? = nil, error: Status? = nil
    ) -> LongRunningOperation {
        let metadata = OperationMetadata(
            state: state, type: type, createTime: now.addingTimeInterval(-created), startTime: started.map { now.addingTimeInterval(-$0) },
            endTime: ended.map { now.addingTimeInterval(-$0) }, batchEecuUsageSeconds: eecu
        )
        return LongRunningOperation(name: "projects/p/operations/\(id)", metadata: metadata, done: state.isTerminal, error: error)
    }

    static func failed(_ id: String, _ message: String, code: Int = 13) -> LongRunningOperation {
        operation(id, .failed, error: Status(code: code, message: message))
    }

    @Test(arguments: [
        ("Export too large: specified 1220000000 pixels (max: 100000000).", "Export too large: specified # pixels (max: #)."),
        ("Asset 'projects/demo/assets/aoi_17' not found.", "Asset '…' not found."),
        ("Image.clip: Parameter 'geometry' is required.", "Image.clip: Parameter 'geometry' is required."),
        ("Error in map(ID=0000000f3a9c): Image.select: Pattern 'B4' did not match any bands.", "Error in map(ID=…): Image.select: Pattern '…' did not match any bands."),
        ("Computation  timed\tout after 3.5 hours, 1,024 tiles.", "Computation timed out after # hours, # tiles."),
        ("Tile 12 failed: 10m scale, 2GB limit, band v1alpha2.", "Tile # failed: #m scale, #GB limit, band …."),
        ("Quota \"user/42\" exceeded", "Quota \"…\" exceeded"),
        ("Task JDIRVAGPNHIZKXLIMWQZ UNAUTHENTICATED", "Task … UNAUTHENTICATED"),
        ("", ""),
    ])
    func messagesLoseTheirIdsAndNumbers(message: String, normalized: String) {
        #expect(FailureGroups.normalize(message) == normalized)
    }

    /// Messages that differ only in ids and numbers make one group; another code, or another message, another
    /// group; the largest group comes first and keeps its operations in the order given; other states are left out.
    @Test func failedOperationsAreGroupedByNormalizedErrorLargestFirst() {
        let operations = [
            Self.failed("A", "Asset 'projects/x/assets/a1' not found.", code: 5),
            Self.failed("B", "Computation timed out."),
            Self.failed("C", "Asset 'projects/x/assets/b22' not found.", code: 5),
            Self.operation("D", .succeeded),
            Self.failed("E", "Asset 'projects/x/assets/c333' not found.", code: 5),
            Self.failed("F", "Computation timed out.", code: 4),
            Self.operation("G", .failed),
        ]
        let groups = FailureGroups.group(operations)
        #expect(groups.map(\.count) == [3, 1, 1, 1])
        #expect(groups[0] == FailureGroup(message: "Asset '…' not found.", code: 5, names: ["A", "C", "E"].map { "projects/p/operations/\($0)" }))
        #expect(Set(groups.dropFirst().map { "\($0.code) \($0.message)" }) == ["13 Computation timed out.", "4 Computation timed out.", "2 "])
        #expect(groups.dropFirst().map(\.message) == groups.dropFirst().map(\.message).sorted(), "equal sizes in the order of their messages")
    }

    @Test func eecuIsAddedUpInAllByStateAndByTypeIgnoringUnusableValues() {
        let totals = EECUTotals([
            Self.operation("A", .succeeded, eecu: 100),
            Self.operation("B", .succeeded, type: "INGEST_IMAGE", eecu: 50),
            Self.operation("C", .running, eecu: 7.5),
            Self.operation("D", .failed, eecu: .nan),
            Self.operation("E", .failed, eecu: -3),
            Self.operation("F", .cancelled),
        ])
        #expect(totals.total == 157.5)
        #expect(totals.byState == [.succeeded: 150, .running: 7.5])
        #expect(totals.byType == ["EXPORT_IMAGE": 107.5, "INGEST_IMAGE": 50])
    }

    /// Two operations ran for the whole last hour and a third for half of it, in a project whose history began
    /// an hour ago: 2.5 at once. Runs of 10, 20 and 30 minutes (a cancelled one of 1 minute left out): a median of
    /// 20 minutes. Five pending: done in 20 min × (5 / 2.5 + 1) = 60 minutes.
    @Test func theQueueDrainsAtTheObservedConcurrencyAndMedianRunTime() {
        let operations = [
            Self.operation("R1", .running, started: 3600),
            Self.operation("R2", .running, started: 3600),
            Self.operation("S1", .succeeded, started: 1800, ended: 1200),
            Self.operation("S2", .succeeded, started: 3000, ended: 1800),
            Self.operation("F1", .failed, started: 3600, ended: 1800),
            Self.operation("C1", .cancelled, started: 1900, ended: 1840),
        ] + (1...5).map { Self.operation("P\($0)", .pending) }
        let queue = QueueEstimate(operations: operations, now: Self.now)
        #expect(queue.pending == 5 && queue.running == 2)
        // Busy: R1, R2 3600 each; S1 600; S2 1200; F1 1800; C1 60 = 10860 s over 3600 s.
        #expect(abs((queue.concurrency ?? 0) - 10_860.0 / 3600) < 1e-9)
        #expect(queue.medianRunSeconds == 1200)
        let expected = 1200 * (5 / (10_860.0 / 3600) + 1)
        #expect(abs((queue.etaSeconds ?? 0) - expected) < 1e-6)
        #expect(queue.nearingLifetime.isEmpty)
    }

    @Test func anEmptyQueueIsDoneAndAQueueWithoutRunsHasNoEstimate() {
        let idle = QueueEstimate(operations: [Self.operation("S", .succeeded, started: 900, ended: 600)], now: Self.now)
        #expect(idle.etaSeconds == 0)
        let waiting = QueueEstimate(operations: [Self.operation("P", .pending)], now: Self.now)
        #expect(waiting.etaSeconds == nil && waiting.concurrency == nil && waiting.medianRunSeconds == nil)
        // Runs that ended before the window count for the median, not for the concurrency.
        let old = QueueEstimate(operations: [Self.operation("P", .pending), Self.operation("S", .succeeded, started: 90_000, ended: 86_400)], now: Self.now)
        #expect(old.medianRunSeconds == 3600 && old.concurrency == nil && old.etaSeconds == nil)
    }

    /// Four operations started a minute ago in a project idle for hours before: the average of the window is
    /// below the four running now, and the queue drains through the four slots the server grants.
    @Test func moreRunningNowThanTheAverageDrainsThroughTheRunningSlots() {
        let operations = (1...4).map { Self.operation("R\($0)", .running, started: 60) }
            + [Self.operation("OLD", .succeeded, started: 20_000, ended: 19_400)]
            + (1...8).map { Self.operation("P\($0)", .pending) }
        let queue = QueueEstimate(operations: operations, now: Self.now)
        // Busy: 4 × 60 + 600 (OLD, inside the window from 20,000 s ago) over 20,000 s.
        #expect(abs((queue.concurrency ?? 0) - 840.0 / 20_000) < 1e-9)
        #expect(queue.medianRunSeconds == 600)
        let expected: Double = 600 * (8.0 / 4 + 1)
        #expect(queue.etaSeconds == expected)
    }

    @Test func activeOperationsNearTheTenDayLifetimeAreFlagged() {
        let day = 86_400.0
        let operations = [
            Self.operation("OLDRUN", .running, created: 9.5 * day, started: 9 * day),
            Self.operation("OLDPEND", .pending, created: 9 * day),
            Self.operation("YOUNG", .running, created: 8.9 * day, started: 8 * day),
            Self.operation("OLDDONE", .succeeded, created: 9.8 * day, started: 9.7 * day, ended: 9.6 * day),
        ]
        let queue = QueueEstimate(operations: operations, now: Self.now)
        #expect(queue.nearingLifetime == ["projects/p/operations/OLDRUN", "projects/p/operations/OLDPEND"])
    }

    /// The JSON members scripts rely on, with every selectable state counted (zero included).
    @Test func theSummaryJSONHasTheDocumentedMembers() throws {
        let operations = [
            Self.operation("A", .succeeded, started: 90_000, ended: 86_400, eecu: 3600),
            Self.operation("B", .pending),
            Self.failed("C", "Asset 'projects/x/assets/a1' not found.", code: 5),
        ]
        let summary = ProjectSummary(project: "p", operations: operations, now: Self.now)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.jsonBytes())) as? [String: Any])
        #expect(Set(object.keys) == ["states", "eecuSeconds", "failures", "queue", "operations", "project"])
        #expect(object["states"] as? [String: Int] == ["PENDING": 1, "RUNNING": 0, "CANCELLING": 0, "SUCCEEDED": 1, "CANCELLED": 0, "FAILED": 1])
        let eecu = try #require(object["eecuSeconds"] as? [String: Any])
        #expect(eecu["total"] as? Double == 3600)
        #expect(eecu["byState"] as? [String: Double] == ["SUCCEEDED": 3600])
        #expect(eecu["byType"] as? [String: Double] == ["EXPORT_IMAGE": 3600])
        let failures = try #require(object["failures"] as? [[String: Any]])
        #expect(failures.count == 1)
        #expect(failures.first?["message"] as? String == "Asset '…' not found.")
        #expect(failures.first?["code"] as? Int == 5)
        #expect(failures.first?["count"] as? Int == 1)
        #expect(failures.first?["names"] as? [String] == ["projects/p/operations/C"])
        let queue = try #require(object["queue"] as? [String: Any])
        #expect(queue["pending"] as? Int == 1 && queue["running"] as? Int == 0)
        #expect(queue["etaSeconds"] is NSNull, "no run in the last 6 hours: no concurrency to estimate from")
        #expect(summary.jsonBytes() == summary.jsonBytes(), "the same summary gives the same bytes")
        let empty = ProjectSummary(project: "p", operations: [], now: Self.now)
        let emptyObject = try #require(try JSONSerialization.jsonObject(with: Data(empty.jsonBytes())) as? [String: Any])
        #expect(emptyObject["failures"] as? [Any] != nil, "an empty project still has every member")
        #expect(Set(emptyObject.keys) == ["states", "eecuSeconds", "failures", "queue", "operations", "project"])
    }

    @Test func eecuAmountsTurnToHoursOnceLarge() {
        #expect(OperationFormatting.eecuAmount(seconds: 812.4) == "812 EECU-s")
        #expect(OperationFormatting.eecuAmount(seconds: 3600) == "1.0 EECU-h")
        #expect(OperationFormatting.eecuAmount(seconds: 44_640) == "12.4 EECU-h")
        #expect(OperationFormatting.eecuAmount(seconds: 3600 * 1204.4) == "1204 EECU-h")
        #expect(OperationFormatting.eecuAmount(seconds: .infinity) == "-")
    }

    /// Server text reaches the terminal sanitised, in the summary and in the groups' table; CSV keeps it whole
    /// but quoted.
    @Test func summaryTextAndGroupTablesNeutraliseServerText() {
        let hostile = Self.failed("X", "bad \u{1B}]0;pwned\u{07} \u{202E}evil", code: 13)
        let summary = ProjectSummary(project: "p", operations: [hostile, Self.operation("Y", .running, type: "EXPORT\u{1B}[2J", started: 60, eecu: 5)], now: Self.now)
        let text = SummaryText.render(summary)
        #expect(!text.contains("\u{1B}") && !text.contains("\u{202E}") && !text.contains("\u{07}"))
        #expect(text.contains("FAILED 1"))
        #expect(text.contains("1 in 1 group(s)"))
        #expect(text.contains("INTERNAL"))
        let csv = FailureGroupWriter.render(summary.failures, format: .csv)
        #expect(csv.hasPrefix("count,code,message,names\r\n1,INTERNAL,"))
        #expect(csv.contains("projects/p/operations/X"))
        let lines = FailureGroupWriter.render(summary.failures, format: .jsonl).split(separator: "\n")
        #expect(lines.count == 1)
    }

    /// The notification of an ending: the bell, then OSC 9 (OSC 777 for VTE, urxvt and foot), wrapped for tmux
    /// inside it; server text sanitised and without the separators the sequences use.
    @Test func endingNotificationsAreInertSequencesAndAnEnvironment() {
        let metadata = OperationMetadata(state: .succeeded, description: "ndvi;\u{1B}]0;pwned\u{07}", batchEecuUsageSeconds: 812)
        let operation = LongRunningOperation(name: "projects/p/operations/ABC", metadata: metadata, done: true)
        #expect(EndingNotification.style(environment: ["TERM": "xterm-256color"]) == .osc9)
        #expect(EndingNotification.style(environment: ["TERM": "xterm-256color", "VTE_VERSION": "7600"]) == .osc777)
        #expect(EndingNotification.style(environment: ["TERM": "rxvt-unicode-256color"]) == .osc777)
        let text = EndingNotification.text(operation)
        #expect(text.hasPrefix("eeops: ABC ndvi,") && text.hasSuffix("SUCCEEDED (812 EECU-s)"), "\(text)")
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0 == ";" })
        let osc9 = EndingNotification.terminalSequence(operation, style: .osc9, insideTmux: false)
        #expect(osc9 == "\u{07}\u{1B}]9;\(text)\u{07}")
        let osc777 = EndingNotification.terminalSequence(operation, style: .osc777, insideTmux: false)
        #expect(osc777 == "\u{07}\u{1B}]777;notify;eeops;\(text)\u{07}")
        let tmux = EndingNotification.terminalSequence(operation, style: .osc9, insideTmux: true)
        #expect(tmux == "\u{07}\u{1B}Ptmux;\u{1B}\u{1B}]9;\(text)\u{07}\u{1B}\\")
        #expect(EndingNotification.environment(operation) == [
            "EEOPS_NAME": "projects/p/operations/ABC", "EEOPS_STATE": "SUCCEEDED",
            "EEOPS_DESCRIPTION": "ndvi;\u{1B}]0;pwned\u{07}", "EEOPS_EECU_SECONDS": "812.0",
        ])
    }

    /// The guard takes only a positive, finite limit; it flags any state past the limit, and cancels only what
    /// is running or pending, and only under `--cancel-over-limit`.
    @Test func theBudgetGuardFlagsPastTheLimitAndCancelsOnlyWhatRuns() throws {
        for bad in [0.0, -5, .nan, .infinity] { #expect(EECUBudget(limitSeconds: bad) == nil, "\(bad)") }
        let flagging = try #require(EECUBudget(limitSeconds: 100))
        let cancelling = try #require(EECUBudget(limitSeconds: 100, cancelsOverLimit: true))
        let running = Self.operation("R", .running, eecu: 100.5)
        let pending = Self.operation("P", .pending, eecu: 101)
        let atLimit = Self.operation("L", .running, eecu: 100)
        let finished = Self.operation("S", .succeeded, eecu: 5_000)
        let cancellingOne = Self.operation("C", .cancelling, eecu: 5_000)
        let unreported = Self.operation("U", .running)
        #expect([running, pending, atLimit, finished, cancellingOne, unreported].map(flagging.isOver) == [true, true, false, true, true, false])
        #expect([running, pending, atLimit, finished, cancellingOne, unreported].map(cancelling.shouldCancel) == [true, true, false, false, false, false])
        #expect(!flagging.shouldCancel(running), "flagging only")
    }
}
