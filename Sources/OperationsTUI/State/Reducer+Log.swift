import EarthEngineOperations
import Foundation

/// The event log view (`L`): scrolling and searching the session's events.
extension Reducer {
    /// The event log: scroll (from the newest up), search, close (Esc clears a search first).
    static func performInLog(_ action: Action, _ view: AppState.LogView, _ state: inout AppState) {
        var view = view
        let page = max(1, state.tableHeight)
        switch action {
        case .moveUp: view.scroll += 1
        case .moveDown: view.scroll = max(0, view.scroll - 1)
        case .pageUp: view.scroll += page
        case .pageDown: view.scroll = max(0, view.scroll - page)
        case .searchLog: view.typing = true
        case .keepLogSearch: view.typing = false
        case .clearLogSearch:
            view.search = ""
            view.typing = false
        case .eraseLogSearchCharacter:
            if !view.search.isEmpty { view.search.removeLast() }
        case .closeLog:
            if !view.search.isEmpty {
                view.search = ""
            } else {
                state.mode = .table
                return
            }
        default: return
        }
        view.scroll = min(view.scroll, max(0, logLines(state, search: view.search).count - 1))
        state.mode = .log(view)
    }

    /// The log's entries that hold `search` (all, when it is empty), oldest first.
    static func logLines(_ state: AppState, search: String) -> [AppState.LogEntry] {
        search.isEmpty ? state.log : state.log.filter { $0.text.localizedCaseInsensitiveContains(search) }
    }
}
