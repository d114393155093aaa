/// The named views (`V` cycles them) and the column chooser (`o`).
extension Reducer {
    /// Shows the view after the current one (the first after the last): its filter, states, "active only" and
    /// sort replace the table's, and its columns are drawn. Marks stay.
    static func showNextView(_ state: inout AppState, _ effects: inout [Effect]) {
        guard state.views.count > 1 else {
            log(&state, &effects, "one view only: name others under views: in the config file (docs/config.md)", .info)
            return
        }
        state.viewIndex = (state.viewIndex + 1) % state.views.count
        let view = state.currentView
        state.filterText = view.filterText
        state.stateFilter = view.states
        state.activeOnly = view.activeOnly
        state.groupFilter = nil
        state.sortKey = view.sortKey
        state.sortAscending = view.ascending
        recomputeVisible(&state)
        log(&state, &effects, "view \(view.name) (\(state.viewIndex + 1) of \(state.views.count))", .info)
    }

    /// Opens the column chooser on the columns the table shows now (at this width, when the view chose none).
    static func openColumnChooser(_ state: inout AppState) {
        let shown = TableView.layout(width: state.size.columns, chosen: state.currentView.columns, projects: state.settings.projects).columns.map(\.column)
        state.mode = .columns(ColumnChooser(shown: state.currentView.columns ?? shown))
    }

    /// The column chooser: each change is the view's columns at once, so the table behind it shows it.
    static func performInColumns(_ action: Action, _ chooser: ColumnChooser, _ state: inout AppState) {
        var chooser = chooser
        switch action {
        case .moveDown: chooser.select(by: 1)
        case .moveUp: chooser.select(by: -1)
        case .toggleColumn: chooser.toggle()
        case .moveColumnUp: chooser.move(by: -1)
        case .moveColumnDown: chooser.move(by: 1)
        case .closeColumns:
            state.mode = .table
            return
        default:
            return
        }
        state.mode = .columns(chooser)
        if action != .moveDown, action != .moveUp { state.views[state.viewIndex].columns = chooser.columns }
    }
}
