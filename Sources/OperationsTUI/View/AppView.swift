import EarthEngineOperations
import Foundation
import OperationsPresentation

/// Draws the whole screen from the state: header, table (or details), event line, footer, overlays.
/// Pure: the same state and size always give the same cells.
public enum AppView {
    public static func render(_ state: AppState) -> ScreenBuffer {
        var screen = ScreenBuffer(size: state.size)
        let policy = TextPolicy(ascii: state.settings.ascii)
        if state.size.isTooSmall {
            let message = "Terminal too small: \(state.size.columns)x\(state.size.rows), need at least \(TerminalSize.minimum.columns)x\(TerminalSize.minimum.rows). Enlarge it, or press q to quit."
            for (index, line) in wrap(message, width: max(1, state.size.columns)).prefix(state.size.rows).enumerated() {
                screen.write(line, x: 0, y: index, style: CellStyle(.warning, bold: true))
            }
            return screen
        }
        drawHeader(state, into: &screen, policy: policy)
        let layout = state.layout
        if case .detail(let name, let scroll) = state.mode {
            OverlayView.drawDetail(state, name: name, scroll: scroll, into: &screen, top: layout.body.lowerBound, height: layout.body.count, policy: policy)
        } else if case .log(let view) = state.mode {
            // The log shows every event, so it takes the event line too.
            OverlayView.drawLog(state, view: view, into: &screen, top: layout.body.lowerBound, height: layout.body.count + 1, policy: policy)
        } else {
            TableView.draw(state, into: &screen, top: layout.body.lowerBound, height: layout.body.count, policy: policy)
        }
        if case .log = state.mode {} else { drawEventLine(state, into: &screen, y: layout.eventLine, policy: policy) }
        drawFooter(state, into: &screen, y: layout.footer, policy: policy)
        switch state.mode {
        case .confirmCancel(let dialog): OverlayView.drawCancelDialog(dialog, state: state, into: &screen, policy: policy)
        case .confirmGuard(let yesFocused): OverlayView.drawGuardDialog(yesFocused: yesFocused, state: state, into: &screen, policy: policy)
        case .confirmPlugin(let run, let yesFocused): OverlayView.drawPluginDialog(run, yesFocused: yesFocused, state: state, into: &screen, policy: policy)
        case .help: OverlayView.drawHelp(state, into: &screen, policy: policy)
        case .failures(let selected): OverlayView.drawFailures(state, selected: selected, into: &screen, policy: policy)
        case .columns(let chooser): OverlayView.drawColumnChooser(chooser, state: state, into: &screen, policy: policy)
        default: break
        }
        return screen
    }

    static func drawHeader(_ state: AppState, into screen: inout ScreenBuffer, policy: TextPolicy) {
        let width = state.size.columns
        let separator = policy.glyphs.separator
        screen.fill(x: 0, y: 0, width: width, style: CellStyle(.title, reverse: true))
        // Each project, with its active and all operations when there are several.
        let projects = state.settings.projects.map { project in
            guard state.settings.hasSeveralProjects else { return policy.safe(project) }
            let counts = state.projectCounts[project] ?? (0, 0)
            return "\(policy.safe(project)) \(counts.active)/\(counts.total)"
        }
        var title = "eeops\(separator)\(projects.joined(separator: separator))\(separator)\(policy.safe(state.settings.endpoint)) \(state.settings.apiVersion)"
        title += "\(separator)auth: \(policy.safe(state.settings.authSource))"
        if state.settings.readOnly { title += "\(separator)READ-ONLY" }
        var right: [String] = []
        if state.views.count > 1 { right.append("view \(policy.safe(state.currentView.name))") }
        if !state.filterText.isEmpty { right.append("filter /\(policy.safe(state.filterText))/") }
        if state.activeOnly { right.append("active only") }
        if let group = state.groupFilter {
            right.append("failure group (\(group.count)): " + policy.fit(policy.safe(group.message), 30))
        }
        if !state.stateFilter.isEmpty {
            right.append(OperationState.selectable.filter(state.stateFilter.contains).map(\.apiValue).joined(separator: "+"))
        }
        // The budget guard: how many rows are past its limit, and whether it cancels them.
        if let budget = state.settings.budget {
            let limit = OperationFormatting.eecuAmount(seconds: budget.limitSeconds)
            right.append("\(state.overLimitCount) over \(limit)" + (state.guardArmed ? " (cancelling)" : ""))
        }
        // EECU totals where there is room: of the marked rows, and of the rows shown (of all, when filtered).
        let roomForEECU = width >= 100
        if !state.marks.isEmpty {
            right.append("\(state.marks.count) marked" + (roomForEECU ? " (\(OperationFormatting.eecuAmount(seconds: state.markedEECU)))" : ""))
        }
        if roomForEECU {
            right.append(state.isFiltered
                ? "\(OperationFormatting.eecuAmount(seconds: state.visibleEECU)) of \(OperationFormatting.eecuAmount(seconds: state.totalEECU))"
                : OperationFormatting.eecuAmount(seconds: state.totalEECU))
        }
        right.append("\(state.visible.count)/\(state.operationCount)")
        let rightText = right.joined(separator: separator)
        let rightWidth = TerminalText.width(rightText)
        screen.write(title, x: 0, y: 0, exactly: max(0, width - rightWidth - 1), ellipsis: policy.glyphs.ellipsis, style: CellStyle(.title, bold: true, reverse: true))
        screen.write(rightText, x: max(0, width - rightWidth), y: 0, style: CellStyle(.title, reverse: true))

        // Counts per state, then freshness on the right.
        let narrow = width < 100
        let order: [(OperationState, String, String)] = [(.running, "RUNNING", "RUN"), (.pending, "PENDING", "PEND"), (.cancelling, "CANCELLING", "CNCL"),
                                                          (.failed, "FAILED", "FAIL"), (.cancelled, "CANCELLED", "CXLD"), (.succeeded, "SUCCEEDED", "OK")]
        let (freshnessLine, warning) = freshnessText(state)
        let freshness = policy.safe(freshnessLine)
        let countsLimit = max(width / 2, width - TerminalText.width(freshness) - 2)
        var x = 0
        for (operationState, long, short) in order {
            let count = state.stateCounts[operationState] ?? 0
            let label = "\(narrow ? short : long) \(count)"
            guard x + TerminalText.width(label) <= countsLimit else { break }
            x += screen.write(label, x: x, y: 1, style: CellStyle(TableView.role(of: operationState), bold: count > 0 && operationState.isActive))
            x += screen.write("  ", x: x, y: 1)
        }
        // Running and pending over the session, where there is room.
        if state.activity.count >= 2 {
            let recent = state.activity.suffix(16)
            let spark = "run \(sparkline(recent.map(\.running), ascii: state.settings.ascii)) pend \(sparkline(recent.map(\.pending), ascii: state.settings.ascii))"
            if width >= 120, x + TerminalText.width(spark) <= countsLimit {
                x += screen.write(spark, x: x, y: 1, style: CellStyle(.dim))
            }
        }
        let freshnessWidth = min(TerminalText.width(freshness), max(0, width - x))
        screen.write(freshness, x: width - freshnessWidth, y: 1, exactly: freshnessWidth, ellipsis: policy.glyphs.ellipsis,
                     style: warning ? CellStyle(.warning, bold: true) : CellStyle(.dim))
    }

    /// `values` as a line of bars from the lowest (zero) to the highest (the largest value): `▁▃▅█`, or in
    /// ASCII `_-=#`.
    static func sparkline(_ values: [Int], ascii: Bool) -> String {
        let levels: [Character] = ascii ? ["_", ".", "-", "=", "#"] : ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let top = max(1, values.max() ?? 0)
        return String(values.map { value in
            levels[min(levels.count - 1, Int((Double(max(0, value)) / Double(top) * Double(levels.count - 1)).rounded()))]
        })
    }

    /// "updated 2s ago", or a warning when refreshes fail, and whether it is one.
    static func freshnessText(_ state: AppState) -> (String, Bool) {
        var parts: [String] = []
        if state.paused { parts.append("PAUSED") }
        let skewed = state.freshness.clockSkew != 0
        if skewed { parts.append("server clock \(DurationText.clockSkew(seconds: state.freshness.clockSkew))") }
        if let failure = state.freshness.failure {
            let staleSince = failure.staleSince
            let stale = Int(max(0, state.now.timeIntervalSince(staleSince)))
            let retry = Int(max(0, failure.retryAt.timeIntervalSince(state.now)).rounded(.up))
            // The retry comes first: a long message is cut at the screen's edge, the countdown never is.
            parts.append("stale \(stale)s, retrying in \(retry)s: \(failure.message)")
            return (parts.joined(separator: " "), true)
        }
        if !state.cachedNames.isEmpty {
            parts.append("\(state.cachedNames.count) rows from history, loading…")
        } else if state.freshness.loading {
            parts.append("loading…")
        } else if let last = state.freshness.lastSuccess {
            let age = Int(max(0, state.now.timeIntervalSince(last)))
            var text = "updated \(age)s ago"
            if let interval = state.freshness.interval {
                text += state.freshness.stretched ? " (every \(Int(interval.rounded()))s: large project)" : " (every \(formatSeconds(interval)))"
            }
            parts.append(text)
        }
        return (parts.joined(separator: " "), state.paused || skewed)
    }

    /// "2h05m ahead" / "45s behind".
    private static func formatSeconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : String(format: "%.1fs", value)
    }

    static func drawEventLine(_ state: AppState, into screen: inout ScreenBuffer, y: Int, policy: TextPolicy) {
        guard let entry = state.log.last else { return }
        let time = Timestamp.format(entry.at, fractionDigits: 0).dropFirst(11).dropLast()
        let style: CellStyle = switch entry.severity {
        case .info: CellStyle(.dim)
        case .warning: CellStyle(.warning)
        case .error: CellStyle(.error, bold: true)
        }
        screen.write("\(time) \(policy.safe(entry.text))", x: 0, y: y, exactly: state.size.columns, ellipsis: policy.glyphs.ellipsis, style: style)
    }

    static func drawFooter(_ state: AppState, into screen: inout ScreenBuffer, y: Int, policy: TextPolicy) {
        let width = state.size.columns
        screen.fill(x: 0, y: y, width: width, style: CellStyle(.plain, reverse: true))
        switch state.mode {
        case .filtering:
            let prompt = "/\(policy.safe(state.filterText))_"
            let hint = policy.safe("  " + state.settings.keys.hints(.filterPrompt))
            screen.write(prompt + hint, x: 0, y: y, exactly: width, ellipsis: policy.glyphs.ellipsis, style: CellStyle(.plain, bold: true, reverse: true))
            return
        case .detail:
            screen.write(policy.safe(state.settings.keys.hints(.detail)), x: 0, y: y, exactly: width, ellipsis: policy.glyphs.ellipsis, style: CellStyle(.plain, reverse: true))
            return
        case .log(let view):
            let line = view.typing ? "/\(policy.safe(view.search))_  " + policy.safe(state.settings.keys.hints(.logSearch)) : policy.safe(state.settings.keys.hints(.log))
            screen.write(line, x: 0, y: y, exactly: width, ellipsis: policy.glyphs.ellipsis, style: CellStyle(.plain, bold: view.typing, reverse: true))
            return
        default:
            break
        }
        var x = 0
        for binding in state.settings.keys.bindings(.table, readOnly: state.settings.readOnly) {
            guard let word = binding.hint else { continue }
            let label = policy.safe(binding.footerKey)
            let needed = TerminalText.width(label) + 1 + TerminalText.width(word) + 2
            guard x + needed - 2 <= width else { break }
            x += screen.write(label, x: x, y: y, style: CellStyle(.plain, bold: true, reverse: true))
            x += screen.write(" \(word)  ", x: x, y: y, style: CellStyle(.plain, reverse: true))
        }
        if state.settings.readOnly, x + 10 <= width { screen.write("read-only", x: x, y: y, style: CellStyle(.warning, reverse: true)) }
    }

    /// Splits text into lines of at most `width` columns, at spaces where possible.
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let wordWidth = TerminalText.width(String(word))
            let joinedWidth = current.isEmpty ? wordWidth : currentWidth + 1 + wordWidth
            if joinedWidth <= width {
                if !current.isEmpty { current += " " }
                current += word
                currentWidth = joinedWidth
                continue
            }
            if !current.isEmpty { lines.append(current) }
            current = ""
            currentWidth = 0
            // A word wider than a line is cut into lines of its own, character by character.
            for scalar in word.unicodeScalars {
                let scalarWidth = TerminalText.width(of: scalar)
                if currentWidth + scalarWidth > width, currentWidth > 0 {
                    lines.append(current)
                    current = ""
                    currentWidth = 0
                }
                current.unicodeScalars.append(scalar)
                currentWidth += scalarWidth
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
