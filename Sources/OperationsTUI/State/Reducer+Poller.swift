import EarthEngineOperations
import Foundation
import OperationsPresentation

/// The reducer's side of the poller: pages, refreshes and transitions stored in the table, the rows from the
/// history until the first listing replaces them, and the counts the header shows.
extension Reducer {
    /// Applies an event of `project`'s poller. With several projects, a listing's order and a refresh's failure
    /// or success concern that project's rows and state alone.
    static func apply(_ state: inout AppState, _ event: PollerEvent, project: String, _ effects: inout [Effect]) {
        switch event {
        case .initialPage(let operations):
            if state.firstListingOrder != nil {
                state.firstListingOrder?.append(contentsOf: operations.map(\.name))
                state.cachedNames.subtract(operations.map(\.name))
            }
            store(&state, operations, newcomersFirst: false)
            if state.settings.recordsHistory { effects.append(.remember(operations)) }
            enforceBudget(&state, operations, &effects)
            state.firstListedAt = state.firstListedAt ?? state.now
            recount(&state)
            recomputeVisible(&state)
        case .refreshed(let operations, let transitions, let at):
            store(&state, operations, newcomersFirst: true)
            // The history takes what appeared or changed state; progress and EECU that move at every refresh are
            // written with the next change of state, and for the active rows when the session ends.
            let changed = transitions.compactMap { $0.to == nil ? nil : $0.operation }
            if state.settings.recordsHistory, !changed.isEmpty { effects.append(.remember(changed)) }
            if case .detail(let name, _) = state.mode, operations.contains(where: { $0.name == name }) {
                fetchDetailsOfSummary(&state, &effects) // it changed: what was fetched is out of date
            }
            for departure in transitions where departure.to == nil { depart(&state, departure) }
            state.freshness.lastSuccess = max(state.freshness.lastSuccess ?? at, at)
            applyTransitions(&state, transitions, &effects)
            enforceBudget(&state, operations, &effects)
            recount(&state)
            recomputeVisible(&state)
        case .listed(let order, let at):
            if let firstOrder = state.firstListingOrder {
                replaceCached(&state, order: order ?? firstOrder)
            } else if let order {
                reorder(&state, order, in: project)
            }
            state.firstListedAt = state.firstListedAt ?? at
            state.listedProjects.insert(project)
            state.freshness.lastSuccess = at
            succeeded(&state, project: project, at: at)
            recount(&state)
            recomputeVisible(&state)
        case .upToDate(let at):
            state.freshness.lastSuccess = max(state.freshness.lastSuccess ?? at, at)
            succeeded(&state, project: project, at: at)
        case .refreshFailed(let error, let at, let retryIn):
            let several = state.settings.hasSeveralProjects
            let message = (several ? "\(project): " : "") + describe(error)
            let since = state.projectFailures[project]?.since ?? at
            state.projectFailures[project] = .init(project: several ? project : nil, message: message, since: since,
                                                   staleSince: (several ? state.projectLastSuccess[project] : state.freshness.lastSuccess) ?? since, retryAt: at.addingTimeInterval(retryIn.seconds))
            summarizeFreshness(&state)
            if state.log.last?.text != "refresh failed: \(message)" { log(&state, &effects, "refresh failed: \(message)", .error) }
        case .schedule(let schedule):
            state.projectSchedules[project] = schedule
            summarizeFreshness(&state)
        case .clockSkew(let seconds):
            state.freshness.clockSkew = seconds
            if seconds != 0 { log(&state, &effects, DurationText.clockSkewWarning(seconds: seconds), .warning) }
        }
    }

    /// A listing of `project` succeeded: its failure ends (another project's stays).
    static func succeeded(_ state: inout AppState, project: String, at: Date) {
        state.projectLastSuccess[project] = at
        state.projectFailures[project] = nil
        summarizeFreshness(&state)
    }

    /// The header's freshness from each project's: the failure stale the longest (saying how many more projects
    /// fail), the longest interval, stretched if any project's is, and loading until every project has listed.
    static func summarizeFreshness(_ state: inout AppState) {
        let failures = state.projectFailures.values.sorted { ($0.staleSince, $0.since, $0.message) < ($1.staleSince, $1.since, $1.message) }
        if var shown = failures.first {
            if failures.count > 1 { shown.message += " (and \(failures.count - 1) more project\(failures.count == 2 ? "" : "s") failing)" }
            state.freshness.failure = shown
        } else {
            state.freshness.failure = nil
        }
        if let longest = state.projectSchedules.values.max(by: { $0.interval < $1.interval }) {
            state.freshness.interval = longest.interval.seconds
            state.freshness.stretched = state.projectSchedules.values.contains { $0.isStretched }
        }
        if !state.listedProjects.isEmpty {
            state.freshness.loading = !state.listedProjects.isSuperset(of: state.settings.projects)
        }
    }

    /// Shows the history's rows before the first listing, when the table is still empty.
    static func showCached(_ state: inout AppState, _ operations: [LongRunningOperation]) {
        guard state.operationCount == 0, state.firstListedAt == nil, !operations.isEmpty else { return }
        state.tableRows.append(operations)
        state.cachedNames = Set(operations.map(\.name))
        state.firstListingOrder = []
        recount(&state)
        recomputeVisible(&state)
    }

    /// The first listing ended: the history's rows it did not list leave the table (and the marks), and the rest
    /// take the server's order.
    static func replaceCached(_ state: inout AppState, order: [String]) {
        state.tableRows.remove(state.cachedNames)
        state.marks.subtract(state.cachedNames)
        if let anchor = state.markAnchor, state.cachedNames.contains(anchor) { state.markAnchor = nil }
        state.cachedNames = []
        state.firstListingOrder = nil
        var seen = Set<String>()
        let listed = order.filter { state.tableRows.contains($0) && seen.insert($0).inserted }
        // Newcomers a refresh added during the first listing stay, first.
        state.tableRows.reorder(state.tableRows.names.filter { !seen.contains($0) } + listed)
    }

    /// Puts `project`'s rows in the server's order; rows that departed stay where they were among the project's,
    /// marked "(gone)", until their highlight ends. With several projects, the rows are laid out project by project
    /// in the order the projects were given, so that ties of a sort between projects keep one order.
    static func reorder(_ state: inout AppState, _ order: [String], in project: String) {
        let several = state.settings.hasSeveralProjects
        let blocks = several ? Dictionary(grouping: state.serverOrder) { OperationName.project(of: $0) ?? "" } : [project: state.serverOrder]
        let current = blocks[project] ?? []
        let gone = current.enumerated().filter { state.isGone($0.element) } // in their old order
        let prefix = "projects/\(project)/"
        var next = order.filter { state.tableRows.contains($0) && !state.isGone($0) && (!several || $0.hasPrefix(prefix)) }
        for (position, name) in gone { next.insert(name, at: min(next.count, position)) }
        guard several else {
            state.tableRows.reorder(next)
            return
        }
        let shown = Set(state.settings.projects)
        var laidOut: [String] = []
        for each in state.settings.projects { laidOut += each == project ? next : blocks[each] ?? [] }
        laidOut += state.serverOrder.filter { !shown.contains(OperationName.project(of: $0) ?? "") } // another project's, kept
        state.tableRows.reorder(laidOut)
    }

    /// A row whose operation left the listing stays, marked "(gone)", until its highlight ends (`.tick`); it is
    /// no longer marked, so no cancel is sent for it.
    static func depart(_ state: inout AppState, _ departure: StateTransition) {
        state.marks.remove(departure.name)
    }

    /// Adds or replaces operations, updating their table rows in place; newcomers go first in server order (the
    /// newest, in the order given) or last (pages of the first listing).
    /// A row kept as "(gone)" whose operation comes back is a newcomer again, as the poller counts it.
    static func store(_ state: inout AppState, _ operations: [LongRunningOperation], newcomersFirst: Bool) {
        var newcomers: [LongRunningOperation] = []
        var returning: Set<String> = []
        for operation in operations {
            if state.isGone(operation.name) {
                state.changes.removeValue(forKey: operation.name)
                returning.insert(operation.name)
                newcomers.append(operation)
            } else if !state.tableRows.update(operation) {
                newcomers.append(operation)
            }
        }
        guard !newcomers.isEmpty else { return }
        state.tableRows.remove(returning)
        if newcomersFirst { state.tableRows.insertFirst(newcomers) } else { state.tableRows.append(newcomers) }
    }

    /// Records each transition; a cancelled operation's observed end is its final outcome, audited here.
    static func applyTransitions(_ state: inout AppState, _ transitions: [StateTransition], _ effects: inout [Effect]) {
        for transition in transitions {
            state.changes[transition.name] = AppState.RowChange(from: transition.from, to: transition.to, at: transition.seenAt)
            if state.history[transition.name] == nil, let from = transition.from {
                recordHistory(&state, transition.name, from, at: state.firstListedAt ?? transition.seenAt)
            }
            recordHistory(&state, transition.name, transition.to, at: transition.seenAt)
            if state.settings.notifiesEndings, let to = transition.to, to.isTerminal,
               state.marks.contains(transition.name) || state.cancels[transition.name] != nil || state.cancelsInFlight.contains(transition.name) {
                effects.append(.notify(transition.operation))
            }
            guard let outcome = state.cancels[transition.name], !outcome.isFinal || outcome == .cancelled else { continue }
            let id = transition.operation.shortID
            if let to = transition.to {
                let observed = CancelOutcome.observed(to)
                if observed != .requested, observed != outcome {
                    state.cancels[transition.name] = observed
                    log(&state, &effects, "\(id): \(observed.description)", observed == .cancelled || observed == .cancelling ? .info : .warning)
                    if observed.isFinal { effects.append(.audit([observed.auditEntry(name: transition.name, tool: auditTool)])) }
                }
            } else {
                state.cancels[transition.name] = .notFound
                log(&state, &effects, "\(id): disappeared after cancel", .warning)
                // Not the server's answer to the cancel (that is audited already): the operation left the listing.
                effects.append(.audit([AuditEntry(action: .cancel, stage: .final, name: transition.name,
                                                  outcome: "disappeared from the listing", tool: auditTool)]))
            }
        }
    }

    static func recordHistory(_ state: inout AppState, _ name: String, _ newState: OperationState?, at: Date) {
        var entries = state.history[name] ?? []
        if let last = entries.last, last.state == newState { return }
        entries.append((newState, at))
        if entries.count > 20 { entries.removeFirst(entries.count - 20) }
        state.history[name] = entries
    }

    /// Takes a sample of the running and pending counts once the first listing is in, one per
    /// ``AppState/activityInterval``, keeping the last ``AppState/activityLimit``.
    static func sampleActivity(_ state: inout AppState, at now: Date) {
        // Once a project's first listing is in (a project that never answers does not stop the samples).
        guard state.firstListedAt != nil, !state.listedProjects.isEmpty else { return }
        if let last = state.activity.last, now.timeIntervalSince(last.at) < AppState.activityInterval { return }
        state.activity.append(AppState.ActivitySample(at: now, running: state.stateCounts[.running] ?? 0, pending: state.stateCounts[.pending] ?? 0))
        if state.activity.count > AppState.activityLimit { state.activity.removeFirst(state.activity.count - AppState.activityLimit) }
    }

    /// Counts the rows per state for the header (rows marked "(gone)" do not count), from the table rows
    /// rather than the operations, which would cost a copy of each; and the EECU totals.
    static func recount(_ state: inout AppState) {
        var byRank = [Int](repeating: 0, count: 8)
        for rank in state.tableRows.stateRanks { byRank[Int(rank)] += 1 }
        for (name, change) in state.changes where change.to == nil {
            if let departed = state.operation(named: name) { byRank[TableQuery.rank(departed.state)] -= 1 }
        }
        state.stateCounts = [.running: byRank[0], .cancelling: byRank[1], .pending: byRank[2], .failed: byRank[3],
                             .cancelled: byRank[4], .succeeded: byRank[5], .unspecified: byRank[6]]
        state.totalEECU = state.tableRows.totalEECU
        if state.settings.hasSeveralProjects {
            var counts = Dictionary(state.settings.projects.map { ($0, (active: 0, total: 0)) }, uniquingKeysWith: { first, _ in first })
            for (name, active) in zip(state.tableRows.names, state.tableRows.isActive) where !state.isGone(name) {
                guard let project = OperationName.project(of: name), counts[project] != nil else { continue }
                counts[project]!.total += 1
                if active { counts[project]!.active += 1 }
            }
            state.projectCounts = counts
        }
        if let limit = state.settings.budget?.limitSeconds {
            state.overLimitCount = state.tableRows.eecu.count { $0 > limit && $0.isFinite }
        }
    }
}
