import EarthEngineOperations
import Foundation
import OperationsPresentation

/// The operations table: which columns fit the width, and how each row reads.
enum TableView {
    typealias Column = TableColumn

    struct Layout: Sendable {
        var columns: [(column: Column, title: String, width: Int, alignRight: Bool)]
    }

    /// The columns of the table at `width`: the view's `chosen` ones in their order after the mark, as many as
    /// fit; or, with none chosen, the essentials always and the rest as space allows. The description takes the
    /// width that is left. The columns the CLI shows too take their heading, width and alignment from
    /// ``OperationColumn``.
    static func layout(width: Int, chosen: [Column]? = nil, projects: [String] = []) -> Layout {
        // The project column is as wide as the longest project id shown.
        let projectWidth = max(OperationColumn.project.title.count, projects.map(\.count).max() ?? 0)
        // With several projects, the built-in choice is made for the width the project column leaves.
        let several = projects.count > 1
        let choiceWidth = several && chosen == nil ? width - projectWidth - 1 : width
        let columns = (chosen.map { [.mark] + $0.filter { $0 != .mark } } ?? builtIn(width: choiceWidth, severalProjects: several))
            .map { spec(of: $0, width: choiceWidth, projectWidth: projectWidth) }
        // A chosen description keeps its least width (8) and the space before it.
        let reserved = chosen != nil && columns.contains { $0.0 == .description } ? 9 : 0
        var fitted: [(column: Column, title: String, width: Int, alignRight: Bool)] = []
        var used = 0
        for column in columns where column.0 != .description {
            // A chosen column that does not fit is left out (with the ones after it), not cut.
            if chosen != nil, used + column.2 + reserved > width { break }
            fitted.append(column)
            used += column.2 + 1
        }
        if let description = columns.first(where: { $0.0 == .description }) {
            let at = columns.firstIndex { $0.0 == .description }.map { min($0, fitted.count) } ?? fitted.count
            fitted.insert((description.0, description.1, max(8, width - used), description.3), at: at)
        }
        return Layout(columns: fitted)
    }

    /// The built-in choice: what fits `width`, in the built-in order; the project first when there are several.
    private static func builtIn(width: Int, severalProjects: Bool) -> [Column] {
        var columns: [Column] = severalProjects ? [.mark, .project, .id] : [.mark, .id]
        if width >= 100 { columns.append(.type) }
        columns.append(.state)
        if width >= 80 { columns.append(.cancel) }
        columns.append(.progress)
        if width >= 130 { columns.append(.attempt) }
        if width >= 120 { columns.append(.eecu) }
        if width >= 110 { columns.append(.created) }
        if width >= 140 { columns.append(.running) }
        if width >= 150 { columns.append(.updated) }
        columns.append(.description)
        return columns
    }

    /// A column's heading, width and alignment at a screen `width` (the description's width is its least).
    private static func spec(of column: Column, width: Int, projectWidth: Int) -> (Column, String, Int, Bool) {
        func shared(_ spec: OperationColumn) -> (Column, String, Int, Bool) { (column, spec.title, spec.width, spec.alignRight) }
        switch column {
        case .mark: return (column, "", 1, false)
        case .project: return (column, OperationColumn.project.title, projectWidth, false)
        case .id: return shared(width >= 170 ? .id : .shortID)
        case .type: return shared(.type)
        case .state: return shared(.transition)
        case .cancel: return (column, "CANCEL", 17, false)
        // A bar where there is room, the percentage alone where there is not.
        case .progress: return width >= 120 ? (column, "PROGRESS", 10, false) : shared(.progress)
        case .attempt: return (column, "ATT", 3, true)
        case .eecu: return (column, "EECU", 7, true)
        case .created: return (column, "CREATED", 8, true)
        case .running: return (column, "RUN FOR", 8, true)
        case .updated: return (column, "UPDATED", 8, true)
        case .description: return shared(.description)
        }
    }

    static func draw(_ state: AppState, into screen: inout ScreenBuffer, top: Int, height: Int, policy: TextPolicy) {
        let layout = layout(width: state.size.columns, chosen: state.currentView.columns, projects: state.settings.projects)
        // Column titles, with the sort direction on the sorted column.
        var x = 0
        for (column, title, width, alignRight) in layout.columns {
            var label = title
            if sortColumn(state.sortKey) == column { label += state.sortAscending ? policy.glyphs.sortUp : policy.glyphs.sortDown }
            screen.write(label, x: x, y: top, exactly: width, alignRight: alignRight, ellipsis: policy.glyphs.ellipsis, style: CellStyle(.header, bold: true, underline: true))
            x += width + 1
        }
        guard height > 1 else { return }
        if state.visible.isEmpty {
            let message = state.freshness.loading ? "loading operations…" : (state.operationCount == 0 ? (state.settings.hasSeveralProjects ? "no operations in these projects" : "no operations in this project") : "no operation matches the filter")
            screen.write(policy.safe(message), x: 2, y: top + 2, style: CellStyle(.dim))
            return
        }
        let rows = min(height - 1, state.visible.count - state.scrollOffset)
        for row in 0..<max(0, rows) {
            let name = state.visible[state.scrollOffset + row]
            guard let operation = state.operation(named: name) else { continue }
            drawRow(state, name: name, operation: operation, layout: layout, y: top + 1 + row, into: &screen, policy: policy)
        }
    }

    private static func sortColumn(_ key: AppState.SortKey) -> Column {
        switch key {
        case .age: .created
        case .state: .state
        case .description: .description
        case .type: .type
        case .eecu: .eecu
        }
    }

    static func drawRow(_ state: AppState, name: String, operation: LongRunningOperation, layout: Layout, y: Int, into screen: inout ScreenBuffer, policy: TextPolicy) {
        let marked = state.marks.contains(name)
        let isCursor = state.cursor == name
        // A row from the local history, not yet confirmed by the first listing.
        let isCached = state.cachedNames.contains(name)
        // A row the filter hides, kept a moment for its end to be read (``AppState/tombstones``).
        let isTombstone = state.tombstones.contains(name)
        let hasCancelColumn = layout.columns.contains { $0.column == .cancel }
        var x = 0
        for (column, _, width, alignRight) in layout.columns {
            var style = CellStyle.plain
            let text: String
            switch column {
            case .mark: text = marked ? "*" : " "
            case .project: text = policy.safe(OperationName.project(of: name) ?? "-")
            case .id: text = policy.safe(operation.shortID)
            case .type: text = policy.safe(operation.metadata?.type ?? "-")
            case .state:
                (text, style) = stateCell(state, name: name, operation: operation, policy: policy, includeCancel: !hasCancelColumn)
            case .cancel:
                let cell = cancelCell(state, name: name)
                (text, style) = (policy.safe(cell.0), cell.1)
            case .progress: text = width >= 10 ? progressBar(operation, width: width, policy: policy) : OperationFormatting.progress(operation)
            case .attempt: text = operation.metadata?.attempt.map(String.init) ?? "-"
            case .eecu:
                text = OperationFormatting.eecu(operation)
                if state.settings.budget?.isOver(operation) == true { style = CellStyle(.warning, bold: true) }
            case .created: text = OperationFormatting.age(of: operation.metadata?.createTime, now: state.now)
            case .running:
                text = operation.state == .running || operation.state == .cancelling
                    ? OperationFormatting.age(of: operation.metadata?.startTime, now: state.now) : "-"
            case .updated: text = OperationFormatting.age(of: operation.metadata?.updateTime, now: state.now)
            case .description: text = policy.safe(operation.metadata?.description ?? "")
            }
            if marked { style.bold = true }
            if isCached || isTombstone { style.role = .dim }
            screen.write(text, x: x, y: y, exactly: width, alignRight: alignRight, ellipsis: policy.glyphs.ellipsis, style: style)
            screen.fill(x: x + width, y: y, width: 1, style: CellStyle(.plain, bold: marked))
            x += width + 1
        }
        if isCursor { screen.restyle(row: y) { $0.reverse = true } }
    }

    /// The state, or the change just seen (`RUNNING → CANCELLING`), highlighted for a few seconds.
    static func stateCell(_ state: AppState, name: String, operation: LongRunningOperation, policy: TextPolicy, includeCancel: Bool) -> (String, CellStyle) {
        var style = CellStyle(role(of: operation.state))
        var text = policy.safe(operation.state.apiValue)
        if let change = state.changes[name], state.now.timeIntervalSince(change.at) < state.settings.highlightSeconds {
            let from = change.from.map { policy.safe($0.apiValue) } ?? "(new)"
            let to = change.to.map { policy.safe($0.apiValue) } ?? "(gone)"
            text = "\(from) \(policy.glyphs.arrow) \(to)"
            style = CellStyle(.highlight, bold: true)
        }
        if includeCancel, state.cancels[name] != nil || state.cancelsInFlight.contains(name) {
            text += " (" + policy.safe(cancelCell(state, name: name).0) + ")"
        }
        // Past the budget guard's limit.
        if state.settings.budget?.isOver(operation) == true {
            text += " " + policy.glyphs.overBudget
            if style.role != .highlight { style = CellStyle(.warning, bold: true) }
        }
        // Still waiting or running a day before the server ends it at ten days.
        if QueueEstimate.isNearingLifetime(operation, now: state.now) {
            text += " " + policy.glyphs.lifetime
            if style.role != .highlight { style = CellStyle(.warning, bold: true) }
        }
        return (text, style)
    }

    /// `████▌ 42%`: a bar of `width` − 5 cells in eighths (in ASCII, `####.  42%` in whole cells), then the
    /// percentage; `-` at the end, where the percentage goes, when the server gave no progress.
    static func progressBar(_ operation: LongRunningOperation, width: Int, policy: TextPolicy) -> String {
        guard let progress = operation.metadata?.clampedProgress else { return String(repeating: " ", count: max(0, width - 1)) + "-" }
        let cells = width - 5
        let percent = OperationFormatting.progress(operation)
        let label = String(repeating: " ", count: max(0, 4 - percent.count)) + percent
        if policy.ascii {
            let full = Int((progress * Double(cells)).rounded(.down))
            return String(repeating: "#", count: full) + String(repeating: ".", count: cells - full) + " " + label
        }
        let eighths = Int((progress * Double(cells * 8)).rounded(.down))
        let partials: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var bar = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        bar += String(repeating: " ", count: cells - TerminalText.width(bar))
        return bar + " " + label
    }

    /// What became of the user's cancel of this row.
    static func cancelCell(_ state: AppState, name: String) -> (String, CellStyle) {
        if state.cancelsInFlight.contains(name) { return ("sending…", CellStyle(.dim)) }
        guard let outcome = state.cancels[name] else { return ("", .plain) }
        let style: CellStyle = switch outcome {
        case .requested, .cancelling: CellStyle(.cancelling)
        case .cancelled: CellStyle(.cancelled, bold: true)
        case .finishedDespiteCancel, .unsupported, .unanswered: CellStyle(.warning, bold: true)
        case .alreadyDone: CellStyle(.dim)
        case .notFound: CellStyle(.error)
        case .failed, .notSent: CellStyle(.error, bold: true)
        }
        return (outcome.shortLabel, style)
    }


    static func role(of state: OperationState) -> CellStyle.Role {
        switch state {
        case .pending: .pending
        case .running: .running
        case .cancelling: .cancelling
        case .succeeded: .succeeded
        case .cancelled: .cancelled
        case .failed: .failed
        case .unspecified, .unknown: .plain
        }
    }
}
