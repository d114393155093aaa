import EarthEngineOperations
import Foundation

extension OperationFormatting {
    /// An amount of EECU time as people read it: EECU-seconds below an hour (`812 EECU-s`), EECU-hours above
    /// (`12.4 EECU-h`, `1204 EECU-h`).
    public static func eecuAmount(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 3600 { return "\(Int(seconds.rounded())) EECU-s" }
        let hours = seconds / 3600
        return String(format: hours < 1000 ? "%.1f EECU-h" : "%.0f EECU-h", hours)
    }

    /// The google.rpc code's name (`DEADLINE_EXCEEDED`), or the number when it is not one the API defines.
    public static func code(_ code: Int) -> String {
        RPCCode(rawValue: code)?.name ?? String(code)
    }
}

/// `eeops summary` as text: one labelled line per part (states, EECU, queue, lifetime), then the failure groups.
/// Server text (types, messages) is sanitised.
public enum SummaryText {
    public static func render(_ summary: ProjectSummary) -> String {
        var lines: [String] = []
        func line(_ label: String, _ text: String) { lines.append(label.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + text) }
        line("Project", "\(TerminalText.sanitize(summary.project)): \(summary.operationCount) operation(s)")
        let states = OperationState.selectable.map { "\($0.apiValue) \(summary.states[$0] ?? 0)" }
        let others = summary.states.filter { !OperationState.selectable.contains($0.key) && $0.value > 0 }
            .sorted { $0.key.apiValue < $1.key.apiValue }.map { "\(TerminalText.sanitize($0.key.apiValue)) \($0.value)" }
        line("States", (states + others).joined(separator: " · "))
        line("EECU", "\(OperationFormatting.eecuAmount(seconds: summary.eecu.total)) in all")
        if !summary.eecu.byState.isEmpty {
            line("  by state", summary.eecu.byState.sorted { $0.value > $1.value }
                .map { "\(TerminalText.sanitize($0.key.apiValue)) \(OperationFormatting.eecuAmount(seconds: $0.value))" }.joined(separator: " · "))
        }
        if !summary.eecu.byType.isEmpty {
            line("  by type", summary.eecu.byType.sorted { $0.value > $1.value }
                .map { "\($0.key.isEmpty ? "(no type)" : TerminalText.sanitize($0.key)) \(OperationFormatting.eecuAmount(seconds: $0.value))" }.joined(separator: " · "))
        }
        line("Queue", queue(summary.queue))
        if !summary.queue.nearingLifetime.isEmpty {
            line("Lifetime", "\(summary.queue.nearingLifetime.count) active operation(s) created over \(Int((QueueEstimate.lifetime - QueueEstimate.lifetimeWarning) / 86_400)) days ago; the server ends a task after \(Int(QueueEstimate.lifetime / 86_400))")
        }
        let failed = summary.failures.reduce(0) { $0 + $1.count }
        line("Failures", failed == 0 ? "none" : "\(failed) in \(summary.failures.count) group(s)")
        if !summary.failures.isEmpty { lines.append(FailureGroupWriter.table(summary.failures, indent: "  ").trimmingCharacters(in: .newlines)) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func queue(_ queue: QueueEstimate) -> String {
        var parts = ["\(queue.pending) pending, \(queue.running) running"]
        if let concurrency = queue.concurrency {
            parts.append(String(format: "%.1f", concurrency) + " at once over the last \(Int(QueueEstimate.window / 3600))h")
        }
        if let median = queue.medianRunSeconds { parts.append("median run \(DurationText.compact(seconds: median))") }
        switch queue.etaSeconds {
        case 0?: break
        case let eta?: parts.append("pending done in about \(DurationText.compact(seconds: eta))")
        case nil: parts.append("no estimate yet (no recent runs)")
        }
        return parts.joined(separator: "; ")
    }
}

/// The failure groups (`eeops list --group-by error`, and the end of `eeops summary`) in a ``ListFormat``.
public enum FailureGroupWriter {
    public static func render(_ groups: [FailureGroup], format: ListFormat) -> String {
        switch format {
        case .table: return table(groups)
        case .json:
            var writer = JSONWriter(pretty: true)
            writer.beginArray()
            for group in groups { group.write(to: &writer) }
            writer.endArray()
            return writer.withBytes { String(decodingUTF8: $0) } + "\n"
        case .jsonl:
            return groups.map { $0.jsonString() + "\n" }.joined()
        case .csv:
            return "count,code,message,names\r\n" + groups.map { group in
                [String(group.count), OperationFormatting.code(group.code), group.message, group.names.joined(separator: " ")]
                    .map(OperationListWriter.csvQuote).joined(separator: ",") + "\r\n"
            }.joined()
        }
    }

    /// Count, code, message and the first operation's id, one group a line, largest first.
    static func table(_ groups: [FailureGroup], indent: String = "") -> String {
        let codes = groups.map { OperationFormatting.code($0.code) }
        let codeWidth = max(4, codes.map(\.count).max() ?? 0)
        let countWidth = max(5, groups.map { String($0.count).count }.max() ?? 0)
        var text = indent + "COUNT".leftPadded(to: countWidth) + "  " + "CODE".padding(toLength: codeWidth, withPad: " ", startingAt: 0) + "  MESSAGE (EXAMPLE)\n"
        for (group, code) in zip(groups, codes) {
            let example = group.names.first.map { OperationName(validating: $0)?.operationID ?? $0 } ?? ""
            text += indent + String(group.count).leftPadded(to: countWidth) + "  " + code.padding(toLength: codeWidth, withPad: " ", startingAt: 0)
                + "  " + TerminalText.sanitize(group.message.isEmpty ? "(no message)" : group.message) + " (" + TerminalText.sanitize(example) + ")\n"
        }
        return text
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// `eeops report` as a table or CSV.
public enum ReportText {
    /// One line per group (key, EECU-hours, EECU-seconds, operations), then the total.
    public static func table(_ report: HistoryReport, projects: [String]) -> String {
        let title = report.grouping.rawValue.uppercased()
        let keys = report.rows.map { $0.key.isEmpty ? "(none)" : TerminalText.sanitize($0.key) }
        let keyWidth = max(title.count, "TOTAL".count, keys.map { TerminalText.width($0) }.max() ?? 0)
        func line(_ key: String, _ seconds: Double, _ operations: Int) -> String {
            key + String(repeating: " ", count: max(0, keyWidth - TerminalText.width(key)))
                + String(format: "  %12.2f  %14.0f  %10d\n", seconds / 3600, seconds, operations)
        }
        var text = title.padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "    EECU-HOURS    EECU-SECONDS  OPERATIONS\n"
        for (row, key) in zip(report.rows, keys) { text += line(key, row.eecuSeconds, row.operations) }
        text += line("TOTAL", report.totalEECUSeconds, report.operations)
        if report.rows.isEmpty {
            let scope = projects.isEmpty ? "" : " of " + projects.map(TerminalText.sanitize).joined(separator: ", ")
            text += "(no operations in the history\(scope) for this period)\n"
        }
        return text
    }

    /// `key,eecuSeconds,eecuHours,operations` with a header row, RFC 4180.
    public static func csv(_ report: HistoryReport) -> String {
        "\(report.grouping.rawValue),eecuSeconds,eecuHours,operations\r\n" + report.rows.map { row in
            [OperationListWriter.csvQuote(row.key), String(row.eecuSeconds), String(row.eecuSeconds / 3600), String(row.operations)]
                .joined(separator: ",") + "\r\n"
        }.joined()
    }
}
