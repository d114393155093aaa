import EarthEngineOperations
import Foundation
import OperationsPresentation

/// The confirmation dialog, the help overlay and the detail view.
enum OverlayView {
    /// Draws a framed box centred on the screen and returns its inner area (x, y, width, height).
    @discardableResult
    static func box(title: String, lines: [(String, CellStyle)], into screen: inout ScreenBuffer, policy: TextPolicy, minWidth: Int = 30) -> (Int, Int, Int) {
        let size = screen.size
        let lines = lines.map { (policy.safe($0.0), $0.1) }
        let title = policy.safe(title)
        let contentWidth = min(size.columns - 4, max(minWidth, lines.map { TerminalText.width($0.0) }.max() ?? 0, TerminalText.width(title) + 4))
        let height = min(ScreenLayout(size: size).boxContentRows + 2, lines.count + 2)
        let left = max(0, (size.columns - contentWidth - 2) / 2)
        let top = max(0, (size.rows - height) / 2)
        let g = policy.glyphs
        let frame = CellStyle(.dialog, bold: true)
        let border = g.topLeft + " " + title + " " + String(repeating: g.horizontal, count: max(0, contentWidth - TerminalText.width(title) - 2)) + g.topRight
        screen.write(border, x: left, y: top, exactly: contentWidth + 2, ellipsis: policy.glyphs.ellipsis, style: frame)
        for row in 0..<(height - 2) {
            let y = top + 1 + row
            screen.write(g.vertical, x: left, y: y, style: frame)
            screen.fill(x: left + 1, y: y, width: contentWidth, style: CellStyle(.dialog))
            if row < lines.count {
                screen.write(lines[row].0, x: left + 1, y: y, exactly: contentWidth, ellipsis: policy.glyphs.ellipsis, style: lines[row].1)
            }
            screen.write(g.vertical, x: left + contentWidth + 1, y: y, style: frame)
        }
        screen.write(g.bottomLeft + String(repeating: g.horizontal, count: contentWidth) + g.bottomRight, x: left, y: top + height - 1, style: frame)
        return (left + 1, top + 1, contentWidth)
    }

    static func drawCancelDialog(_ dialog: AppState.CancelConfirmation, state: AppState, into screen: inout ScreenBuffer, policy: TextPolicy) {
        let plain = CellStyle(.dialog)
        var lines: [(String, CellStyle)] = []
        let count = dialog.names.count
        if count == 0 {
            lines.append(("Nothing to cancel:", CellStyle(.dialog, bold: true)))
        } else {
            lines.append(("Cancel \(count) operation\(count == 1 ? "" : "s") in \(policy.safe(AppState.projectsLabel(of: dialog.names)))?", CellStyle(.dialog, bold: true)))
        }
        if dialog.notCancellable > 0 {
            lines.append(("\(dialog.notCancellable) chosen \(dialog.notCancellable == 1 ? "is" : "are") already done (not cancellable), skipped.", plain))
        }
        if dialog.hiddenMarks > 0 {
            lines.append(("\(dialog.hiddenMarks) marked \(dialog.hiddenMarks == 1 ? "is" : "are") hidden by the filter (included).", plain))
        }
        lines.append(("Cancel is best effort: an operation may still finish.", CellStyle(.dim)))
        lines.append(("", plain))
        let no = dialog.yesFocused ? "  No  " : "[ No ]"
        let yes = dialog.yesFocused ? "[ Yes ]" : "  Yes  "
        lines.append(("        \(no)     \(yes)", CellStyle(.button, bold: true)))
        lines.append((state.settings.keys.hints(.cancelDialog), CellStyle(.dim)))
        box(title: "Cancel operations", lines: lines, into: &screen, policy: policy, minWidth: 44)
    }

    /// The budget guard's one question, at start under `--cancel-over-limit`.
    static func drawGuardDialog(yesFocused: Bool, state: AppState, into screen: inout ScreenBuffer, policy: TextPolicy) {
        guard let budget = state.settings.budget else { return }
        let plain = CellStyle(.dialog)
        let limit = OperationFormatting.eecuAmount(seconds: budget.limitSeconds)
        var lines: [(String, CellStyle)] = [
            ("Cancel every running or pending operation in \(policy.safe(state.projectsLabel))", CellStyle(.dialog, bold: true)),
            ("that has used more than \(limit), now and as they pass it?", CellStyle(.dialog, bold: true)),
            ("Each cancel is audited. No: rows past the limit are only flagged.", plain),
            ("", plain),
        ]
        let no = yesFocused ? "  No  " : "[ No ]"
        let yes = yesFocused ? "[ Yes ]" : "  Yes  "
        lines.append(("        \(no)     \(yes)", CellStyle(.button, bold: true)))
        lines.append((state.settings.keys.hints(.cancelDialog), CellStyle(.dim)))
        box(title: "EECU guard", lines: lines, into: &screen, policy: policy, minWidth: 44)
    }

    /// A plugin's question: the command and the rows it will run over.
    static func drawPluginDialog(_ run: Plugin.Run, yesFocused: Bool, state: AppState, into screen: inout ScreenBuffer, policy: TextPolicy) {
        let plain = CellStyle(.dialog)
        let count = run.names.count == 1 ? "1 operation" : "\(run.names.count) operations"
        var lines: [(String, CellStyle)] = [
            ("Run \(policy.safe(run.plugin.name)) on \(count)?", CellStyle(.dialog, bold: true)),
            (policy.safe(run.plugin.command.joined(separator: " ")) + " NAME…", plain),
            ("", plain),
        ]
        for name in run.names.prefix(5) { lines.append(("  " + policy.safe(name), plain)) }
        if run.names.count > 5 { lines.append(("  and \(run.names.count - 5) more", plain)) }
        lines.append(("", plain))
        let no = yesFocused ? "  No  " : "[ No ]"
        let yes = yesFocused ? "[ Yes ]" : "  Yes  "
        lines.append(("        \(no)     \(yes)", CellStyle(.button, bold: true)))
        lines.append((state.settings.keys.hints(.cancelDialog), CellStyle(.dim)))
        box(title: "Plugin", lines: lines, into: &screen, policy: policy, minWidth: 44)
    }

    /// The failure groups, largest first: count, code and message, the selected one highlighted.
    static func drawFailures(_ state: AppState, selected: Int, into screen: inout ScreenBuffer, policy: TextPolicy) {
        var lines: [(String, CellStyle)] = [(state.settings.keys.hints(.failures), CellStyle(.dim))]
        let groups = state.failureGroups
        if groups.isEmpty { lines.append(("No FAILED operation in the table.", CellStyle(.dialog))) }
        // The selected group stays in the box however many there are.
        let room = max(1, state.layout.boxContentRows - lines.count)
        let first = min(max(0, selected - room + 1), max(0, groups.count - room))
        for (index, group) in groups.enumerated().dropFirst(first).prefix(room) {
            let code = OperationFormatting.code(group.code)
            let text = String(repeating: " ", count: max(0, 6 - String(group.count).count)) + "\(group.count)  \(code)  "
                + (group.message.isEmpty ? "(no message)" : group.message)
            lines.append((text, index == selected ? CellStyle(.dialog, reverse: true) : CellStyle(.dialog)))
        }
        let failed = groups.reduce(0) { $0 + $1.count }
        box(title: "Failures: \(failed) in \(groups.count) group(s)", lines: lines, into: &screen, policy: policy, minWidth: 60)
    }

    /// The column chooser: every column, shown ones ticked, in the view's order, the selected one highlighted.
    static func drawColumnChooser(_ chooser: ColumnChooser, state: AppState, into screen: inout ScreenBuffer, policy: TextPolicy) {
        var lines: [(String, CellStyle)] = [(state.settings.keys.hints(.columns), CellStyle(.dim))]
        // The selected column stays in the box however short the screen.
        let room = max(1, state.layout.boxContentRows - lines.count)
        let first = min(max(0, chooser.selected - room + 1), max(0, chooser.entries.count - room))
        for (index, entry) in chooser.entries.enumerated().dropFirst(first).prefix(room) {
            let tick = entry.shown ? "[x]" : "[ ]"
            let text = "\(tick) \(entry.column.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))\(entry.column.summary)"
            lines.append((text, index == chooser.selected ? CellStyle(.dialog, reverse: true) : CellStyle(.dialog)))
        }
        box(title: "Columns of view \(policy.safe(state.currentView.name))", lines: lines, into: &screen, policy: policy, minWidth: 50)
    }

    static func drawHelp(_ state: AppState, into screen: inout ScreenBuffer, policy: TextPolicy) {
        var lines: [(String, CellStyle)] = []
        if state.settings.readOnly {
            lines.append(("read-only: cancelling is disabled (--readonly)", CellStyle(.warning, bold: true)))
        }
        let quit = state.settings.keys.bindings(.table, readOnly: false).first { $0.action == .quit }?.label ?? "q"
        lines.append(("\(quit) quits; \(state.settings.keys.hints(.help)).", CellStyle(.dim)))
        let bindings = state.settings.keys.bindings(.table, readOnly: state.settings.readOnly).map { binding in
            policy.safe(binding.label).padding(toLength: 7, withPad: " ", startingAt: 0) + binding.summary
        } + state.settings.plugins.map { plugin in
            policy.safe(KeyMap.name(of: plugin.key)).padding(toLength: 7, withPad: " ", startingAt: 0) + "plugin: " + policy.safe(plugin.name)
        }
        let available = max(1, state.layout.boxContentRows - lines.count)
        if bindings.count <= available {
            lines += bindings.map { ($0, CellStyle(.dialog)) }
        } else {
            // Two columns when one does not fit the height: the left as wide as its longest line, when that leaves the
            // right at least 30 columns (narrower terminals cut both).
            let half = (bindings.count + 1) / 2
            let inner = max(42, state.size.columns - 8)
            let leftWidth = max(20, min(bindings[..<half].map(TerminalText.width).max() ?? 0, inner - 2 - 30))
            let rightWidth = max(20, inner - 2 - leftWidth)
            for row in 0..<half {
                let left = policy.fit(bindings[row], leftWidth)
                let right = row + half < bindings.count ? policy.fit(bindings[row + half], rightWidth) : ""
                lines.append((left + "  " + right, CellStyle(.dialog)))
            }
        }
        box(title: "Keys", lines: lines, into: &screen, policy: policy, minWidth: 50)
    }

    /// The session's events, newest at the bottom, each with its time, in its severity's colour; those holding
    /// the search only, when there is one.
    static func drawLog(_ state: AppState, view: AppState.LogView, into screen: inout ScreenBuffer, top: Int, height: Int, policy: TextPolicy) {
        let entries = Reducer.logLines(state, search: view.search)
        let title = view.search.isEmpty ? "Events this session: \(entries.count)" : "Events holding \"\(policy.safe(view.search))\": \(entries.count) of \(state.log.count)"
        screen.write(title, x: 0, y: top, width: state.size.columns, style: CellStyle(.header, bold: true, underline: true))
        let rows = max(0, height - 1)
        let end = max(0, entries.count - view.scroll)
        let shown = entries[max(0, end - rows)..<end]
        for (offset, entry) in shown.enumerated() {
            let time = Timestamp.format(entry.at, fractionDigits: 0).dropFirst(11).dropLast()
            let style: CellStyle = switch entry.severity {
            case .info: .plain
            case .warning: CellStyle(.warning)
            case .error: CellStyle(.error, bold: true)
            }
            screen.write("\(time) \(policy.safe(entry.text))", x: 0, y: top + 1 + offset, width: state.size.columns, style: style)
        }
        if entries.isEmpty {
            screen.write(view.search.isEmpty ? "nothing has happened yet" : "no event holds this text", x: 2, y: top + 2, style: CellStyle(.dim))
        }
    }

    static func drawDetail(_ state: AppState, name: String, scroll: Int, into screen: inout ScreenBuffer, top: Int, height: Int, policy: TextPolicy) {
        let width = state.size.columns
        guard let operation = state.operation(named: name) else {
            screen.write(policy.safe("\(name) is no longer listed."), x: 0, y: top, style: CellStyle(.warning))
            return
        }
        let lines = detailLines(state, operation: operation, width: width - 2, policy: policy)
        let start = min(scroll, max(0, lines.count - height))
        for (index, line) in lines.dropFirst(start).prefix(height).enumerated() {
            screen.write(line.0, x: 1, y: top + index, width: width - 2, style: line.1)
        }
    }

    static func detailLines(_ state: AppState, operation: LongRunningOperation, width: Int, policy: TextPolicy) -> [(String, CellStyle)] {
        let metadata = operation.metadata
        // A summary's stages, script, destinations and notifications come from the whole copy fetched for them.
        let fetched = operation.isSummary && state.details?.name == operation.name ? state.details : nil
        let details = operation.isSummary ? fetched?.operation?.metadata : metadata
        var lines: [(String, CellStyle)] = []
        let label = CellStyle(.header, bold: true)
        func field(_ name: String, _ value: String, _ style: CellStyle = .plain) {
            let wrapped = AppView.wrap(value, width: max(10, width - 13))
            for (index, part) in wrapped.enumerated() {
                lines.append(((index == 0 ? name.padding(toLength: 13, withPad: " ", startingAt: 0) : String(repeating: " ", count: 13)) + part, index == 0 ? style : style))
            }
        }
        func time(_ date: Date?) -> String {
            guard let date else { return "-" }
            return "\(OperationFormatting.timestamp(date)) UTC (\(OperationFormatting.age(of: date, now: state.now)) ago)"
        }
        lines.append((policy.safe(operation.name), CellStyle(.title, bold: true)))
        field("State", policy.safe(operation.state.apiValue) + (operation.done ? " (done)" : ""), CellStyle(TableView.role(of: operation.state), bold: true))
        if let outcome = state.cancels[operation.name] { field("Cancel", policy.safe(outcome.description), CellStyle(.warning)) }
        field("Type", policy.safe(metadata?.type ?? "-"))
        field("Description", policy.safe(ServerText.capped(metadata?.description ?? "-")))
        field("Progress", OperationFormatting.progress(operation) + "   attempt \(metadata?.attempt.map(String.init) ?? "-")   priority \(metadata?.priority.map(String.init) ?? "-")")
        field("EECU", EECUTotals.seconds(of: operation).map { seconds in
            OperationFormatting.eecuAmount(seconds: seconds) + (seconds >= 3600 ? String(format: " (%.1f EECU-seconds)", seconds) : "")
        } ?? "-")
        if QueueEstimate.isNearingLifetime(operation, now: state.now) {
            field("Lifetime", "created over \(Int((QueueEstimate.lifetime - QueueEstimate.lifetimeWarning) / 86_400)) days ago: the server ends a task after \(Int(QueueEstimate.lifetime / 86_400))", CellStyle(.warning, bold: true))
        }
        field("Created", time(metadata?.createTime))
        field("Started", time(metadata?.startTime))
        field("Updated", time(metadata?.updateTime))
        field("Ended", time(metadata?.endTime))
        if operation.isSummary, fetched?.operation == nil {
            let why = fetched?.failure.map { "could not be fetched: " + policy.safe(ServerText.capped($0)) }
            field("Details", why ?? "loading" + policy.glyphs.ellipsis, CellStyle(why == nil ? .dim : .warning))
        }
        if let script = details?.scriptUri { field("Script", policy.safe(ServerText.capped(script))) }
        for (index, uri) in (details?.destinationUris ?? []).prefix(100).enumerated() { field(index == 0 ? "Destinations" : "", policy.safe(ServerText.capped(uri))) }
        for (index, stage) in (details?.stages ?? []).enumerated() {
            let units = stage.totalWorkUnits.map { "\(stage.completeWorkUnits ?? 0)/\($0) work units" } ?? "not started"
            field(index == 0 ? "Stages" : "", policy.safe(stage.displayName ?? "-") + ": " + units + (stage.description.map { " — " + policy.safe($0) } ?? ""))
        }
        for (index, note) in (details?.notifications ?? []).enumerated() {
            field(index == 0 ? "Notifications" : "", "\(policy.safe(note.severity ?? "-")) \(policy.safe(note.topic ?? "")): \(policy.safe(note.detail ?? ""))", CellStyle(.warning))
        }
        if let error = operation.error {
            field("Error", "\(error.rpcCode.name) (\(error.code)): \(policy.safe(ServerText.capped(error.message)))", CellStyle(error.code == 1 ? .cancelled : .error, bold: true))
        }
        lines.append(("", .plain))
        lines.append(("State history seen this session", label))
        for entry in state.history[operation.name] ?? [(operation.state, state.firstListedAt ?? state.now)] {
            let when = Timestamp.format(entry.at, fractionDigits: 0).dropFirst(11).dropLast()
            lines.append(("  \(when)  \(entry.state.map { policy.safe($0.apiValue) } ?? "(gone)")", CellStyle(entry.state.map(TableView.role(of:)) ?? .dim)))
        }
        return lines
    }
}
