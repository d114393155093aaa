import Foundation

/// An access token and when it stops working.
public struct OAuthToken: Sendable {
    public var token: AccessToken
    /// nil when the source does not say (then the token is refreshed after 45 minutes or on a 401).
    public var expiresAt: Date?

    public init(token: AccessToken, expiresAt: Date?) {
        self.token = token
        self.expiresAt = expiresAt
    }
}

/// What `eeops auth status` shows about credentials; never the token itself.
public struct CredentialInfo: Sendable, Equatable {
    public var source: CredentialSource
    /// The file, variable or command the credentials come from.
    public var origin: String
    /// The service-account email or user account, when known.
    public var account: String?
    public var scopes: [String]
    /// The project the credentials name (e.g. a key file's project_id), when any.
    public var project: String?
    /// Sent as X-Goog-User-Project (from an ADC file's quota_project_id).
    public var quotaProject: String?

    public init(source: CredentialSource, origin: String, account: String? = nil, scopes: [String] = [], project: String? = nil, quotaProject: String? = nil) {
        self.source = source
        self.origin = origin
        self.account = account
        self.scopes = scopes
        self.project = project
        self.quotaProject = quotaProject
    }
}

/// Fetches a new token from one credential source.
public protocol TokenFetcher: Sendable {
    func fetchToken() async throws(OperationsError) -> OAuthToken
}

/// Caches the token of a refreshable source and refreshes it shortly before it expires (and once after a
/// 401), with one refresh in flight however many requests wait for it.
public actor RefreshingTokenProvider: AccessTokenProvider {
    public nonisolated let info: CredentialInfo
    public nonisolated var sourceDescription: String { "\(info.source.rawValue) (\(info.origin))" }
    private let fetcher: any TokenFetcher
    private var current: OAuthToken?
    private var fetchedAt: Date?
    private var refreshing: Task<OAuthToken, Error>?

    public init(fetcher: any TokenFetcher, info: CredentialInfo) {
        self.fetcher = fetcher
        self.info = info
    }

    public func accessToken() async throws -> AccessToken {
        if let current, !needsRefresh(current) { return current.token }
        return try await refresh().token
    }

    public func invalidate(_ token: AccessToken) async {
        if current?.token == token { current = nil }
    }

    /// The current token's expiry, fetching a token first if there is none.
    public func expiry() async throws -> Date? {
        _ = try await accessToken()
        return current?.expiresAt
    }

    private func needsRefresh(_ token: OAuthToken) -> Bool {
        let now = Date()
        guard let expiresAt = token.expiresAt else {
            return now.timeIntervalSince(fetchedAt ?? now) > 45 * 60
        }
        // Refresh when less than a quarter of the lifetime (at most five minutes) is left.
        let lifetime = expiresAt.timeIntervalSince(fetchedAt ?? now)
        return expiresAt.timeIntervalSince(now) < min(300, max(0, lifetime) * 0.25)
    }

    private func refresh() async throws -> OAuthToken {
        if let refreshing { return try await refreshing.value }
        let fetcher = self.fetcher
        let task = Task { () throws -> OAuthToken in try await fetcher.fetchToken() }
        refreshing = task
        defer { refreshing = nil }
        let token = try await task.value
        current = token
        fetchedAt = Date()
        return token
    }
}
