import Foundation

/// A user's refresh token, exchanged for access tokens with the refresh-token grant: application default
/// credentials (`"type": "authorized_user"`) and the earthengine CLI's stored credentials.
public struct RefreshTokenCredentials: TokenFetcher {
    /// The earthengine CLI's public OAuth client (from earthengine-api's ee/oauth.py), used when its
    /// credentials file names none.
    public static let earthEngineClientID = "517222506229-vsmmajv00ul0bs7p89v5m89qs8eb9359.apps.googleusercontent.com"
    public static let earthEngineClientSecret = "RUP0RZ6e0pPhDzsqIJ7KlNd1"
    public static let googleTokenURI = "https://oauth2.googleapis.com/token"

    let clientID: String
    let clientSecret: String
    let refreshToken: String
    let scopes: [String]
    let endpoint: OAuthTokenEndpoint

    /// An `authorized_user` file (GOOGLE_APPLICATION_CREDENTIALS or gcloud's application_default_credentials.json).
    public static func applicationDefault(json: Data, path: String) throws(OperationsError) -> (RefreshTokenCredentials, quotaProject: String?) {
        struct File: Decodable { var type: String?; var client_id: String?; var client_secret: String?; var refresh_token: String?; var quota_project_id: String?; var token_uri: String? }
        let source = "application default credentials \(path)"
        guard let file = try? JSONDecoder().decode(File.self, from: json), file.type == "authorized_user",
              let clientID = file.client_id, let secret = file.client_secret, let refresh = file.refresh_token, !refresh.isEmpty
        else { throw .credentials("\(source) is not an authorized_user file with client_id, client_secret and refresh_token") }
        let endpoint = OAuthTokenEndpoint(url: try OAuthTokenEndpoint.validate(file.token_uri ?? googleTokenURI, source: source), source: source)
        return (RefreshTokenCredentials(clientID: clientID, clientSecret: secret, refreshToken: refresh, scopes: [], endpoint: endpoint), file.quota_project_id)
    }

    /// The earthengine CLI's `~/.config/earthengine/credentials`.
    public static func earthEngine(json: Data, path: String) throws(OperationsError) -> (RefreshTokenCredentials, project: String?, scopes: [String]) {
        struct File: Decodable { var refresh_token: String?; var client_id: String?; var client_secret: String?; var scopes: [String]?; var project: String?; var token_uri: String? }
        let source = "earthengine credentials \(path)"
        guard let file = try? JSONDecoder().decode(File.self, from: json), let refresh = file.refresh_token, !refresh.isEmpty else {
            throw .credentials("\(source) holds no refresh_token: run `earthengine authenticate`")
        }
        // The official client always uses Google's token endpoint; a token_uri in the file (for tests
        // against the emulator) is honoured by eeops only.
        let endpoint = OAuthTokenEndpoint(url: try OAuthTokenEndpoint.validate(file.token_uri ?? googleTokenURI, source: source), source: source)
        let credentials = RefreshTokenCredentials(
            clientID: file.client_id ?? earthEngineClientID, clientSecret: file.client_secret ?? earthEngineClientSecret,
            refreshToken: refresh, scopes: file.scopes ?? [], endpoint: endpoint
        )
        return (credentials, file.project, file.scopes ?? [])
    }

    public func fetchToken() async throws(OperationsError) -> OAuthToken {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", clientID), ("client_secret", clientSecret)]
        if !scopes.isEmpty { form.append(("scope", scopes.joined(separator: " "))) }
        return try await endpoint.exchange(form)
    }
}
