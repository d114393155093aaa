import ArgumentParser
import CProcessSupport
import EarthEngineOperations

/// `eeops`: Earth Engine batch operations from the terminal.
@main
struct EEOps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eeops",
        abstract: "List, watch and cancel Earth Engine batch operations (exports, ingestions).",
        discussion: """
        Settings: --project (else EEOPS_PROJECT, GOOGLE_CLOUD_PROJECT, eeops's config file, the earthengine CLI's \
        config, gcloud's config), --endpoint (else EEOPS_ENDPOINT, the config file, default \
        https://earthengine.googleapis.com), credentials from --access-token-file or EEOPS_ACCESS_TOKEN. The config \
        file is --config, EEOPS_CONFIG, or ~/.config/eeops/config.yaml; `eeops config show` prints what is in force.

        Exit status: 0 success; 1 not every operation ended as asked (a cancel not accepted, a task that \
        FAILED, a name not found); 2 timed out; 3 the API could not be used (network, authentication, \
        permission, server error); 64 invalid usage or settings; 130 interrupted.
        """,
        version: BuildInfo.versionLine,
        subcommands: [
            TUICommand.self, ListCommand.self, SummaryCommand.self, ReportCommand.self, GetCommand.self, CancelCommand.self, WaitCommand.self, WatchCommand.self,
            DeleteCommand.self, AuthCommand.self, ConfigCommand.self, EmulatorCommand.self, DemoCommand.self,
        ],
        defaultSubcommand: TUICommand.self
    )

    static func main() async {
        // Credentials and tokens are held in memory from the first command on: no core file may carry them.
        _ = eeops_disable_core_dumps()
        OperationsClient.prepareTransportInBackground()
        await main(nil)
    }
}
