import ArgumentParser
import EarthEngineOperations
import Foundation
import OperationsPresentation

/// Options every command that talks to the API accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Google Cloud project id; repeat it for several (else EEOPS_PROJECT, GOOGLE_CLOUD_PROJECT, the config file's project or projects, the earthengine CLI's config, gcloud's config).")
    var project: [String] = []

    @Option(name: .long, help: "API endpoint (else EEOPS_ENDPOINT, else the config file; default https://earthengine.googleapis.com). Plain http:// only for loopback.")
    var endpoint: String?

    @Option(name: .customLong("api-version"), help: "API version (else the config file's apiVersion; default v1).")
    var apiVersion: APIVersion?

    @OptionGroup var config: ConfigOptions

    @Option(name: .customLong("access-token-file"), help: "File holding an OAuth2 access token (else EEOPS_ACCESS_TOKEN).")
    var accessTokenFile: String?

    @Option(name: .customLong("service-account-file"), help: "Service-account key file (else GOOGLE_APPLICATION_CREDENTIALS).")
    var serviceAccountFile: String?

    @Option(name: .long, help: "Use only this credential source (default: the first found, in the order listed).")
    var credentials: CredentialSource?

    @Option(name: .customLong("audit-log"), help: "Append every cancel and delete, and what became of it, to this JSON-lines file (default: $XDG_STATE_HOME/eeops/audit.jsonl or ~/.local/state/eeops/audit.jsonl).")
    var auditLog: String?

    @Option(name: .long, help: "OAuth scope to ask for (repeatable; default https://www.googleapis.com/auth/earthengine; 'cloud-platform' is short for its URL).")
    var scope: [String] = []

    func validate() throws {
        for project in project {
            do { try ProjectID.validate(project) } catch { throw ValidationError(error.description) }
        }
    }

    /// Opens the audit log (for commands that cancel or delete).
    func openAuditLog() throws -> AuditLog {
        try AuditLog(path: auditLog ?? AuditLog.defaultPath())
    }

    /// The credentials request these options make.
    var credentialRequest: CredentialResolver.Request {
        let scopes = scope.isEmpty ? [OAuthScope.earthEngine] : scope.map { $0 == "cloud-platform" ? OAuthScope.cloudPlatform : ($0 == "earthengine" ? OAuthScope.earthEngine : $0) }
        return CredentialResolver.Request(source: credentials, accessTokenFile: accessTokenFile,
                                          serviceAccountFile: serviceAccountFile, scopes: scopes)
    }

    /// Builds a client from these options and the environment; prints credential warnings to stderr.
    func makeSession(requireProject: Bool = true, requestsPerSecond: Double = 100) async throws -> Session {
        let layers = SettingLayers(file: try config.load())
        var projects = try layers.projects(flags: project)
        let endpoint = try layers.endpoint(flag: endpoint).value
        let credentials = try await CredentialResolver().resolve(credentialRequest)
        for warning in credentials.warnings { StandardStream.error.write("eeops: warning: \(TerminalText.sanitize(warning))\n") }
        // A project named by the credentials (a key file's project_id) comes after the explicit settings.
        if projects == nil, let named = credentials.info.project {
            do { try ProjectID.validate(named) } catch { throw OperationsError.configuration("\(error.description) (from \(credentials.info.origin))") }
            projects = .init(value: [named], source: credentials.info.origin)
        }
        if requireProject, projects == nil {
            throw OperationsError.configuration("no project: pass --project ID or set EEOPS_PROJECT (or GOOGLE_CLOUD_PROJECT)")
        }
        var configuration = OperationsClient.Configuration(
            endpoint: endpoint, apiVersion: layers.apiVersion(flag: apiVersion).value, requestsPerSecond: requestsPerSecond,
            userAgent: BuildInfo.userAgent
        )
        configuration.quotaProject = credentials.info.quotaProject
        return Session(client: OperationsClient(configuration: configuration, tokenProvider: credentials.provider), projects: projects?.value ?? [],
                       credentials: credentials.info, settings: layers)
    }
}

/// A configured client and the projects it works on.
struct Session: Sendable {
    let client: OperationsClient
    /// The projects, in the order given; empty only for a command that needs none (`auth show`).
    let projects: [String]
    let credentials: CredentialInfo
    /// The config file and the environment, for the settings each command resolves with its own flags.
    let settings: SettingLayers

    /// Resolves user-typed names (`projects/P/operations/ID`, or a bare `ID` of the one project).
    func names(_ inputs: [String]) throws -> [OperationName] {
        try inputs.map { input throws(OperationsError) in
            if projects.count > 1, !input.hasPrefix("projects/") {
                throw .configuration("'\(TerminalText.sanitize(input))' could be in any of \(projects.count) projects (\(projects.joined(separator: ", "))): give its full name, projects/PROJECT/operations/ID")
            }
            do throws(NameError) { return try OperationName(parsing: input, defaultProject: projects.first) } catch { throw .invalidName(error) }
        }
    }
}

extension Session {
    /// Lists each project and keeps the operations that match `filter` and whose state `keeps` accepts, with the
    /// number of matching ones it left out. A listed operation of another project (a server that answers for
    /// the wrong one) is never selected.
    func select(_ filter: OperationFilter, keeping keeps: @escaping (OperationState) -> Bool) async throws -> (selected: [OperationName], skipped: Int) {
        var selected: [OperationName] = []
        var skipped = 0
        for project in projects {
            let found = try await select(filter, in: project, keeping: keeps)
            selected += found.selected
            skipped += found.skipped
        }
        return (selected, skipped)
    }

    private func select(_ filter: OperationFilter, in project: String, keeping keeps: @escaping (OperationState) -> Bool) async throws -> (selected: [OperationName], skipped: Int) {
        var selected: [OperationName] = []
        var skipped = 0
        var foreign = 0
        let now = Date()
        try await client.listAll(project: project) { page in
            for operation in page where filter.matches(operation, now: now) {
                guard let name = OperationName(validating: operation.name) else {
                    skipped += 1
                    continue
                }
                guard name.project == project else {
                    foreign += 1
                    continue
                }
                guard keeps(operation.state) else {
                    skipped += 1
                    continue
                }
                selected.append(name)
            }
        }
        if foreign > 0 {
            printError("the server listed \(foreign) operation(s) of another project than \(project); they are left alone")
        }
        return (selected, skipped)
    }
}

/// The selection of the commands that take operation names or `--all` with filters (`cancel`, `wait`).
struct BulkSelectionOptions: ParsableArguments {
    @OptionGroup var selection: SelectionOptions

    @Flag(name: .long, help: "Every operation not yet ended that matches --state/--type/--match/--older-than (cancel: PENDING or RUNNING).")
    var all = false

    @Option(name: .customLong("older-than"), help: ArgumentHelp("With --all: only operations created longer ago than this (e.g. 2h, 1d).", valueName: "duration"))
    var olderThan: DurationArgument?

    /// Checks that names and `--all` are not both given, nor neither, and that the filters come with `--all`.
    func validate(names: [String], verb: String) throws {
        if all && !names.isEmpty { throw ValidationError("give operation names or --all, not both") }
        if !all && names.isEmpty { throw ValidationError("give operation names or ids to \(verb), or --all") }
        if !all && (!selection.state.isEmpty || !selection.type.isEmpty || selection.match != nil || olderThan != nil) {
            throw ValidationError("--state, --type, --match and --older-than select operations for --all")
        }
    }

    func filter() throws -> OperationFilter {
        try selection.filter(olderThan: olderThan?.duration)
    }
}

/// The selection flags shared by `list`, `summary`, `watch`, and with `--all` by `cancel` and `wait`.
struct SelectionOptions: ParsableArguments {
    @Option(name: .long, help: "Only operations in this state (repeatable, any case).")
    var state: [OperationState] = []

    @Option(name: .long, help: "Only operations of this type (repeatable), e.g. EXPORT_IMAGE.")
    var type: [String] = []

    @Option(name: .long, help: "Only operations whose id, type or description matches this regular expression (case-insensitive).")
    var match: String?

    func validate() throws {
        _ = try filter()
    }

    func filter(olderThan: Duration? = nil) throws -> OperationFilter {
        var pattern: TextPattern?
        if let match {
            do { pattern = try TextPattern(regex: match) } catch { throw ValidationError(error.description) }
        }
        return OperationFilter(states: Set(state), types: Set(type), pattern: pattern, olderThan: olderThan)
    }
}

/// The request budget of the commands that wait on operations (`wait`, `cancel --wait`): the whole command's
/// requests average at most this, however many operations it waits for.
struct WaitBudgetOptions: ParsableArguments {
    @Option(name: .long, help: "Average requests per second the waiting may spend, for all operations together (at most 100; else the config file's budget; default 10).")
    var budget: Double?

    func validate() throws {
        if let budget { try RequestBudget.validate(budget) }
    }

    /// The budget in force: this flag's, else the config file's, else 10.
    func budget(_ settings: SettingLayers) -> Double { settings.budget(flag: budget).value }
}
