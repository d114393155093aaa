import EarthEngineOperations

/// The config file's plugins: a key runs a command over the chosen rows, after a question when it asks for one.
extension Reducer {
    static func startPlugin(_ plugin: Plugin, _ state: inout AppState, _ effects: inout [Effect]) {
        // Only names of the documented shape reach the command (server text is untrusted: no option-like name, no
        // newline to split EEOPS_NAMES).
        let names = chosenNames(state).filter { OperationName(validating: $0) != nil }
        guard !names.isEmpty else {
            log(&state, &effects, "\(plugin.name): no operation to run it on", .warning)
            return
        }
        let run = Plugin.Run(plugin: plugin, names: names)
        if plugin.confirm {
            state.mode = .confirmPlugin(run, yesFocused: false)
        } else {
            runPlugin(run, &state, &effects)
        }
    }

    static func performInPluginDialog(_ action: Action, _ run: Plugin.Run, yesFocused: Bool, _ state: inout AppState, _ effects: inout [Effect]) {
        switch action {
        case .confirmCancel: runPlugin(run, &state, &effects)
        case .abandonCancel: abandonPlugin(run, &state, &effects)
        case .switchChoice: state.mode = .confirmPlugin(run, yesFocused: !yesFocused)
        case .choose: if yesFocused { runPlugin(run, &state, &effects) } else { abandonPlugin(run, &state, &effects) }
        default: break
        }
    }

    private static func runPlugin(_ run: Plugin.Run, _ state: inout AppState, _ effects: inout [Effect]) {
        state.mode = .table
        let count = run.names.count == 1 ? "1 operation" : "\(run.names.count) operations"
        log(&state, &effects, "\(run.plugin.name): running on \(count)\(run.plugin.background ? " in the background" : "")", .info)
        effects.append(.runPlugin(run))
    }

    private static func abandonPlugin(_ run: Plugin.Run, _ state: inout AppState, _ effects: inout [Effect]) {
        state.mode = .table
        log(&state, &effects, "\(run.plugin.name): not run", .info)
    }

    static func pluginFinished(_ state: inout AppState, name: String, result: Result<Int32, PluginFailure>, _ effects: inout [Effect]) {
        switch result {
        case .success(0): log(&state, &effects, "\(name): done (exit status 0)", .info)
        case .success(127): log(&state, &effects, "\(name): failed (exit status 127: the command was not found)", .warning)
        case .success(126): log(&state, &effects, "\(name): failed (exit status 126: the command cannot be run)", .warning)
        case .success(let status): log(&state, &effects, "\(name): failed (exit status \(status))", .warning)
        case .failure(let failure): log(&state, &effects, "\(name): could not run: \(failure.description)", .error)
        }
    }
}
