import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsEmulator

/// `eeops demo`: the whole product on an in-process emulator, no account needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the emulator on a free loopback port and run eeops on it."
    )

    @OptionGroup var emulator: EmulatorOptions

    func run() async throws {
        let token = EmulatorOptions.randomToken()
        var configuration = emulator.configuration(token: token)
        configuration.port = 0
        if emulator.submitEvery == 0 { configuration.submitInterval = .seconds(20) }
        let server = try await Emulator.start(configuration)
        let project = configuration.projects[0]
        let client = OperationsClient(
            configuration: .init(endpoint: try ServiceEndpoint(server.baseURL)),
            tokenProvider: try StaticAccessTokenProvider(token: token, source: "the demo emulator")
        )
        StandardStream.error.write("eeops demo: emulator at \(server.baseURL), project \(project); watching state changes (Ctrl-C to stop)\n")
        let poller = OperationPoller(client: client, project: project)
        await poller.start()
        let printer = TransitionPrinter(format: "text", filter: OperationFilter())
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM, SIGHUP])
        let watch = Task {
            var started = false
            for await event in poller.events {
                if case .snapshot(let operations, let transitions, _) = event {
                    if !started { printer.header(operations) }
                    started = true
                    printer.print(transitions)
                }
            }
        }
        await signals.next()
        await poller.stop()
        watch.cancel()
        await server.stop()
    }
}
