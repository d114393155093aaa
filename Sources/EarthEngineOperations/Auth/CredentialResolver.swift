import Foundation

/// Chosen credentials: the token provider, what to show about it, and warnings for the user.
public struct ResolvedCredentials: Sendable {
    public var provider: any AccessTokenProvider
    public var info: CredentialInfo
    /// E.g. a key file readable by other users.
    public var warnings: [String]
}

/// Finds credentials in the documented order, or from the one source asked for:
/// access token → service-account key → application default credentials (user) → the earthengine CLI's
/// credentials → the metadata server → `gcloud auth print-access-token`.
public struct CredentialResolver: Sendable {
    public var environment: [String: String]
    public var homeDirectory: String

    /// - Parameter homeDirectory: defaults to `$HOME`, else the account's home directory.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, homeDirectory: String? = nil) {
        self.environment = environment
        self.homeDirectory = homeDirectory ?? environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    /// What the user gave on the command line.
    public struct Request: Sendable {
        public var source: CredentialSource?
        public var accessTokenFile: String?
        public var serviceAccountFile: String?
        public var scopes: [String]

        public init(source: CredentialSource? = nil, accessTokenFile: String? = nil, serviceAccountFile: String? = nil, scopes: [String] = [OAuthScope.earthEngine]) {
            self.source = source
            self.accessTokenFile = accessTokenFile
            self.serviceAccountFile = serviceAccountFile
            self.scopes = scopes
        }
    }

    public func resolve(_ request: Request) async throws(OperationsError) -> ResolvedCredentials {
        var tried: [String] = []
        let order = request.source.map { [$0] } ?? CredentialSource.allCases
        for source in order {
            if let found = try await attempt(source, request, tried: &tried) { return found }
        }
        if let only = request.source {
            throw .credentials("no \(only.rawValue) credentials: \(tried.joined(separator: "; "))")
        }
        throw .credentials("no credentials found (tried: \(tried.joined(separator: "; "))). Set EEOPS_ACCESS_TOKEN or --access-token-file, "
            + "--service-account-file or GOOGLE_APPLICATION_CREDENTIALS, run `earthengine authenticate` or `gcloud auth application-default login`; see docs/auth.md")
    }

    private func attempt(_ source: CredentialSource, _ request: Request, tried: inout [String]) async throws(OperationsError) -> ResolvedCredentials? {
        switch source {
        case .accessToken:
            if let path = request.accessTokenFile, !path.isEmpty {
                let file = try CredentialFile(path: path, what: "the access token file")
                let provider = try StaticAccessTokenProvider(contentsOf: file)
                return ResolvedCredentials(provider: provider, info: CredentialInfo(source: .accessToken, origin: path), warnings: file.permissionWarnings)
            }
            if let token = environment["EEOPS_ACCESS_TOKEN"], !token.isEmpty {
                let provider = try StaticAccessTokenProvider(token: token, source: "EEOPS_ACCESS_TOKEN")
                return ResolvedCredentials(provider: provider, info: CredentialInfo(source: .accessToken, origin: "EEOPS_ACCESS_TOKEN"), warnings: [])
            }
            tried.append("no --access-token-file or EEOPS_ACCESS_TOKEN")
        case .serviceAccount:
            let path = request.serviceAccountFile ?? environment["GOOGLE_APPLICATION_CREDENTIALS"]
            guard let path, !path.isEmpty else { tried.append("no --service-account-file or GOOGLE_APPLICATION_CREDENTIALS"); return nil }
            let file = try CredentialFile(path: path)
            // GOOGLE_APPLICATION_CREDENTIALS may hold a user's file instead; that is the next source.
            if request.serviceAccountFile == nil, fileType(file.contents) != "service_account" { tried.append("\(path) is not a service-account key"); return nil }
            let credentials = try ServiceAccountCredentials(json: file.contents, path: path, scopes: request.scopes)
            let info = CredentialInfo(source: .serviceAccount, origin: path, account: credentials.key.client_email, scopes: request.scopes, project: credentials.key.project_id)
            return ResolvedCredentials(provider: RefreshingTokenProvider(fetcher: credentials, info: info), info: info, warnings: file.permissionWarnings)
        case .applicationDefault:
            var path = environment["GOOGLE_APPLICATION_CREDENTIALS"].flatMap { $0.isEmpty ? nil : $0 }
            if let given = path, (try? CredentialFile(path: given)).map({ fileType($0.contents) }) != "authorized_user" { path = nil }
            let standard = settings.gcloudDirectory + "/application_default_credentials.json"
            if path == nil, FileManager.default.fileExists(atPath: standard) { path = standard }
            guard let path else { tried.append("no application default credentials (\(standard))"); return nil }
            let file = try CredentialFile(path: path)
            let (credentials, quotaProject) = try RefreshTokenCredentials.applicationDefault(json: file.contents, path: path)
            let info = CredentialInfo(source: .applicationDefault, origin: path, scopes: [], quotaProject: quotaProject)
            return ResolvedCredentials(provider: RefreshingTokenProvider(fetcher: credentials, info: info), info: info, warnings: file.permissionWarnings)
        case .earthengine:
            let path = settings.configDirectory + "/earthengine/credentials"
            guard FileManager.default.fileExists(atPath: path) else { tried.append("no \(path)"); return nil }
            let file = try CredentialFile(path: path)
            let (credentials, project, scopes) = try RefreshTokenCredentials.earthEngine(json: file.contents, path: path)
            let info = CredentialInfo(source: .earthengine, origin: path, scopes: scopes, project: project)
            return ResolvedCredentials(provider: RefreshingTokenProvider(fetcher: credentials, info: info), info: info, warnings: file.permissionWarnings)
        case .metadata:
            guard let host = MetadataServerCredentials.host(environment: environment) else { tried.append("not on Google Compute Engine (no GCE_METADATA_HOST)"); return nil }
            let credentials = MetadataServerCredentials(host: host, scopes: request.scopes)
            guard await credentials.isAvailable() else { tried.append("no metadata server at \(host)"); return nil }
            let info = CredentialInfo(source: .metadata, origin: "metadata server \(host)", account: await credentials.accountEmail(), scopes: request.scopes)
            return ResolvedCredentials(provider: RefreshingTokenProvider(fetcher: credentials, info: info), info: info, warnings: [])
        case .gcloud:
            guard let executable = GcloudCredentials.find(environment: environment) else { tried.append("no gcloud on the PATH"); return nil }
            let credentials = GcloudCredentials(executable: executable)
            let info = CredentialInfo(source: .gcloud, origin: "\(executable) auth print-access-token", account: await credentials.account())
            return ResolvedCredentials(provider: RefreshingTokenProvider(fetcher: credentials, info: info), info: info, warnings: [])
        }
        return nil
    }

    /// The official tools' configuration folders, found the same way as for the project.
    private var settings: SettingsResolver { SettingsResolver(environment: environment, homeDirectory: homeDirectory) }

    private func fileType(_ data: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["type"] as? String
    }

}
