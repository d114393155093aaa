import EarthEngineOperations
import OperationsPresentation

/// `c` and `C`: the chosen rows' names or destination URIs, copied through the terminal (OSC 52).
extension Reducer {
    /// The marked rows, in the table's order and then those the filter hides; the current row when none is marked.
    static func chosenNames(_ state: AppState) -> [String] {
        guard !state.marks.isEmpty else { return state.cursor.map { [$0] } ?? [] }
        let shown = state.visible.filter { state.marks.contains($0) }
        return shown + state.marks.subtracting(shown).filter(state.tableRows.contains).sorted()
    }

    /// Copies `lines` to the clipboard, as many as fit its sequence, and says so on the event line.
    static func copy(_ state: inout AppState, _ effects: inout [Effect], lines: [String], what: String) {
        guard !lines.isEmpty else {
            log(&state, &effects, "nothing to copy: no \(what)", .warning)
            return
        }
        let (text, count) = ClipboardSequence.fit(lines)
        effects.append(.copy(text))
        var said = "copied \(count) \(what)\(count == 1 ? "" : "s") to the clipboard"
        if count < lines.count { said += " (the first \(count) of \(lines.count): the clipboard takes \(ClipboardSequence.limit / 1024) KiB)" }
        log(&state, &effects, said, .info)
    }

    /// Copies the destination URIs of `names`, from the table's rows or, for those fetched whole, from `fetched`.
    static func copyDestinations(_ state: inout AppState, names: [String], fetched: [String: [String]?], _ effects: inout [Effect]) {
        let uris = names.flatMap { name in
            fetched[name].map { $0 ?? [] } ?? (state.operation(named: name).map { $0.isSummary ? [] : $0.metadata?.destinationUris ?? [] } ?? [])
        }
        copy(&state, &effects, lines: uris, what: "destination URI")
    }

    /// The destinations fetched for `C` came: copy them with those the table had. Says how many fetches failed,
    /// and how many were not asked for because the clipboard was full.
    static func copyDestinations(_ state: inout AppState, fetched: [String: [String]?], _ effects: inout [Effect]) {
        guard let names = state.destinationsToCopy else { return }
        state.destinationsToCopy = nil
        let summaries = names.filter { state.operation(named: $0)?.isSummary == true }
        let failed = summaries.filter { fetched[$0] == .some(nil) }.count
        let skipped = summaries.filter { fetched[$0] == nil }.count
        if failed > 0 { log(&state, &effects, "the destinations of \(failed) operation\(failed == 1 ? "" : "s") could not be fetched", .warning) }
        if skipped > 0 {
            log(&state, &effects, "the clipboard was full before the destinations of \(skipped) operation\(skipped == 1 ? " was" : "s were") fetched", .info)
        }
        copyDestinations(&state, names: names, fetched: fetched, &effects)
    }
}
