import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` into the target before every build: eeops's version (the `VERSION` file at the
/// package root) and the commit it is built from, so that `eeops --version` reports what was built, not what
/// happens to be checked out when it runs. `scripts/write-build-info.sh` does the work and rewrites the file only
/// when its content changes, so an unchanged commit recompiles nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let package = context.package.directoryURL
        return [
            .prebuildCommand(
                displayName: "Writing eeops build info",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    package.appending(path: "scripts/write-build-info.sh").path(percentEncoded: false),
                    package.path(percentEncoded: false),
                    output.appending(path: "BuildInfo.swift").path(percentEncoded: false),
                ],
                outputFilesDirectory: output
            )
        ]
    }
}
