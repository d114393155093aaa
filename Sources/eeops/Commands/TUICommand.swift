import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsHistory
import OperationsTUI

/// How the full-screen interface looks and what it allows: each flag, else the config file, else the default.
struct DisplayOptions: ParsableArguments {
    @Flag(name: .long, inversion: .prefixedNo, help: "Remove the cancel action (else the config file's readonly; default off).")
    var readonly: Bool?

    @Flag(name: .long, inversion: .prefixedNo, help: "Colours (--no-color: none; else NO_COLOR, when set, turns them off; else the config file's color).")
    var color: Bool?

    @Option(name: .long, help: "Colour theme (else the config file's theme; default 'default').")
    var theme: Theme?

    @Flag(name: .long, inversion: .prefixedNo, help: "ASCII only, for terminals without UTF-8 (else the config file's ascii; chosen when the locale is not UTF-8).")
    var ascii: Bool?

    @Option(name: .long, help: ArgumentHelp("The named view to open on (else the config file's view; default 'all'; V cycles them).", valueName: "name"))
    var view: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "The mouse: click selects, wheel scrolls (else the config file's mouse; default off).")
    var mouse: Bool?
}

/// Options of the full-screen interface, shared by `eeops` (the default command) and `eeops demo`.
struct InterfaceOptions: ParsableArguments {
    @OptionGroup var display: DisplayOptions

    @OptionGroup var polling: PollingOptions

    @Option(name: .customLong("log-file"), help: "Write diagnostics to this file (nothing is written to the terminal while the screen is active).")
    var logFile: String?

    @OptionGroup var budgetOptions: BudgetOptions
    @OptionGroup var notifyOptions: NotifyOptions

    func validate() throws {
        if display.readonly == true, budgetOptions.cancelOverLimit { throw ValidationError("--cancel-over-limit cannot be used with --readonly") }
    }

    /// How many of the newest operations of the local history the interface draws before the server answers: more
    /// than any screen shows, few enough to read and lay out in tens of milliseconds.
    static let cachedRowLimit = 2_000

    /// Runs the TUI on `client` over `projects` and prints what became of the user's cancels once the terminal is
    /// restored. With a `history`, the interface keeps what it sees, and for one project draws its last known rows
    /// at once. The audit log is opened (`openAudit`) only when cancels are allowed.
    func run(client: OperationsClient, projects: [String], endpoint: String, apiVersion: String, authSource: String,
             openAudit: () throws -> AuditLog?, layers: SettingLayers, history: OperationHistory? = nil) async throws {
        FreedMemory.returnLargeBlocksDirectly()
        let resolvedReadonly = layers.readonly(flag: display.readonly)
        let readonly = resolvedReadonly.value
        if readonly, budgetOptions.cancelOverLimit {
            throw fail(OperationsError.configuration("--cancel-over-limit cannot be used with readonly (\(resolvedReadonly.source))"))
        }
        let audit: AuditLog?
        do { audit = readonly ? nil : try openAudit() } catch { throw fail(error) }
        var settings = AppState.Settings(projects: projects, endpoint: endpoint, apiVersion: apiVersion, authSource: authSource)
        settings.readOnly = readonly
        settings.ascii = layers.ascii(flag: display.ascii).value
        settings.keys = layers.file?.keys?.value ?? .standard
        settings.plugins = layers.file?.plugins.map(\.value) ?? []
        settings.views = layers.file?.viewCycle ?? [.all]
        do { settings.startView = try layers.view(flag: display.view).value } catch { throw fail(error) }
        settings.budget = budgetOptions.budget
        var options = TerminalApp.Options()
        options.theme = layers.theme(flag: display.theme, color: layers.color(flag: display.color)).value
        options.mouse = layers.mouse(flag: display.mouse).value
        options.poller = polling.configuration(layers)
        options.audit = audit
        // The TUI owns the terminal: the command's output goes nowhere, and a failure to start it is not printed.
        let notifier = notifyOptions.makeNotifier(quiet: true)
        if let notifier {
            settings.notifiesEndings = true
            options.notify = { notifier.ended($0) }
        }
        var diagnosticsLog: DiagnosticsLog?
        if let logFile {
            let log = try DiagnosticsLog(path: logFile)
            options.diagnostics = { log.write($0) }
            diagnosticsLog = log
        }
        // A failure of the history is told once the terminal is restored; the interface goes on without it.
        let historyFailure = Locked<HistoryError?>(nil)
        var recorder: HistoryRecorder?
        if let history {
            do {
                if projects.count == 1 {
                    options.cachedRows = try history.operations(project: projects[0], limit: Self.cachedRowLimit).map(\.operation)
                }
                let keeping = HistoryRecorder(history: history) { error in historyFailure.withLock { $0 = $0 ?? error } }
                options.remember = { keeping.add($0) }
                settings.recordsHistory = true
                recorder = keeping
            } catch {
                warnWithoutHistory(error)
            }
        }
        let summary: TerminalApp.Summary
        do {
            defer { if let failure = historyFailure.withLock({ $0 }) { warnWithoutHistory(failure) } }
            summary = try await TerminalApp(client: client, settings: settings, options: options).run()
            await recorder?.finish()
            await notifier?.finish()
        } catch let error as TerminalApp.StartError {
            if case .firstListingFailed(let apiError) = error { throw fail(apiError) }
            if case .projectFailed(let project, let apiError) = error { throw fail(apiError, context: "project \(project)") }
            printError(error.description)
            throw ExitCode(ExitStatus.usage)
        }
        report(summary)
        if diagnosticsLog?.hasFailed == true { printError("writing to --log-file failed (a full disk or a closed pipe?); diagnostics stopped there") }
        if summary.signal != nil { throw ExitCode(ExitStatus.interrupted) }
    }

    private func report(_ summary: TerminalApp.Summary) {
        guard !summary.cancels.isEmpty || !summary.unanswered.isEmpty else { return }
        StandardStream.error.write("eeops: cancels this session: " + CancelOutcome.summary(summary.cancels.values) + "\n")
        for name in summary.unanswered {
            StandardStream.error.write("eeops: no answer before exit for the cancel of \(name); check it with: eeops get \(name)\n")
        }
    }
}

/// `eeops` (default): the full-screen interface.
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "The full-screen interface: list, mark, cancel and watch operations live (the default command).",
        discussion: "Press ? inside for the keys. See docs/tui.md."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var interface: InterfaceOptions
    @OptionGroup var historyOptions: HistoryOptions

    func run() async throws {
        let session: Session
        do { session = try await global.makeSession(requestsPerSecond: 100) } catch { throw fail(error) }
        try await interface.run(
            client: session.client, projects: session.projects, endpoint: session.client.configuration.endpoint.baseURL,
            apiVersion: session.client.configuration.apiVersion.rawValue, authSource: session.client.tokenProvider.sourceDescription,
            openAudit: { try global.openAuditLog() }, layers: session.settings, history: historyOptions.open()
        )
    }
}

/// Whether the locale's character set is UTF-8.
enum LocaleCheck {
    static var isUTF8: Bool {
        setlocale(LC_ALL, "")
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}
