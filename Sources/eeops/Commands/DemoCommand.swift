import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsEmulator

/// `eeops demo`: the whole product on an in-process emulator, no account needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the emulator on a free loopback port and open the full-screen interface on it."
    )

    @OptionGroup var emulator: EmulatorOptions
    @OptionGroup var interface: InterfaceOptions
    @OptionGroup var config: ConfigOptions

    func run() async throws {
        // The demo's project and endpoint are its own; the config file's look and refresh apply.
        let layers: SettingLayers
        do { layers = SettingLayers(file: try config.load()) } catch { throw fail(error) }
        let token = EmulatorOptions.randomToken()
        var configuration = emulator.configuration(token: token)
        configuration.port = 0
        if emulator.submitEvery == 0 { configuration.submitInterval = .seconds(20) }
        let server = try await Emulator.start(configuration)
        let client = OperationsClient(
            configuration: .init(endpoint: try ServiceEndpoint(server.baseURL), userAgent: BuildInfo.userAgent),
            tokenProvider: try StaticAccessTokenProvider(token: token, source: "demo emulator token")
        )
        defer { Task { await server.stop() } }
        // The demo's cancels are not the user's real work: they go to a log of their own.
        try await interface.run(client: client, projects: [configuration.projects[0]], endpoint: server.baseURL, apiVersion: "v1",
                                authSource: client.tokenProvider.sourceDescription, openAudit: { try? AuditLog.temporary(prefix: "eeops-demo-audit-") },
                                layers: layers)
    }
}
