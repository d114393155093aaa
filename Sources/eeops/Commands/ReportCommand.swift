import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsHistory
import OperationsPresentation

/// `eeops report`: EECU time per day, month, type or project, from the local history, so that operations the
/// server no longer lists still count.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report EECU time per day, month, type or project from the local history.",
        discussion: """
        Reads the history that list, summary, watch and the full-screen interface keep (--history), without \
        asking the server: operations it no longer lists still count. An operation's EECU time counts on the \
        day it ended (UTC), or was last updated while it ran. --project (repeatable; else EEOPS_PROJECT, else the \
        config file's project or projects) limits the report to those projects; --by project without --project, \
        or no project set, covers every project in the history. --format json \
        prints {"by", "eecuSeconds": {"total"}, "operations", "rows": [{"key", "eecuSeconds", "operations"}]}.
        """
    )

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case table, json, csv
    }

    @Option(name: .long, help: "Only this project; repeat it for several (else EEOPS_PROJECT, else the config file's project or projects; without any, every project in the history).")
    var project: [String] = []

    @OptionGroup var config: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("The history to read (default: $XDG_DATA_HOME/eeops/history.sqlite, else ~/.local/share/eeops/history.sqlite).", valueName: "file"))
    var history: String?

    @Option(name: .long, help: "Group by day, month, type or project.")
    var by: ReportGrouping = .day

    @Option(name: .long, help: ArgumentHelp("Only operations from this day on (YYYY-MM-DD, UTC), or from this long ago (e.g. 30d).", valueName: "date"))
    var since: ReportDate?

    @Option(name: .long, help: ArgumentHelp("Only operations before this day (YYYY-MM-DD, UTC), or before this long ago.", valueName: "date"))
    var until: ReportDate?

    @Option(name: .long, help: "Output format.")
    var format: Format = .table

    func validate() throws {
        if let since, let until, since.date >= until.date { throw ValidationError("--since must be before --until") }
    }

    func run() throws {
        let path = HistoryLocation.path(flag: history)
        guard FileManager.default.fileExists(atPath: path) else {
            printError("no history at \(path) yet: list, summary, watch and the full-screen interface keep one as they run")
            throw ExitCode(ExitStatus.usage)
        }
        let projects: [String]
        do { projects = try Self.projects(flags: project, by: by, layers: SettingLayers(file: try config.load())) } catch { throw fail(error) }
        let report: HistoryReport
        do {
            report = try OperationHistory(path: path).report(ReportQuery(grouping: by, projects: projects, since: since?.date, until: until?.date))
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.usage)
        }
        let output = StandardStream.output
        switch format {
        case .json: output.write(report.jsonString(pretty: true) + "\n")
        case .csv: output.write(ReportText.csv(report))
        case .table: output.write(ReportText.table(report, projects: projects))
        }
        output.flush()
    }

    /// The projects to report on: every `--project`; else, unless grouping by project, `EEOPS_PROJECT` or the
    /// config file's; empty for every project in the history. The credentials' and gcloud's projects are not
    /// used: the history holds what this machine saw, whatever the login.
    static func projects(flags: [String], by: ReportGrouping, layers: SettingLayers) throws(OperationsError) -> [String] {
        for project in flags {
            do { try ProjectID.validate(project) } catch { throw OperationsError.configuration(error.description) }
        }
        if !flags.isEmpty || by == .project { return flags }
        if let project = layers.environment["EEOPS_PROJECT"], !project.isEmpty { return [project] }
        return layers.file?.project.map { [$0.value] } ?? layers.file?.projects?.value ?? []
    }
}

extension ReportGrouping: ExpressibleByArgument {}

/// A day typed on the command line (`2026-12-01`, midnight UTC), or a duration before now (`30d`).
struct ReportDate: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        if let duration = DurationText.parse(argument) {
            date = Date().addingTimeInterval(-duration.seconds)
            return
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard argument.count == 10, let date = formatter.date(from: argument) else { return nil }
        self.date = date
    }
}
