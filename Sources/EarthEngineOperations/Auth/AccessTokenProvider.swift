import Foundation

/// An OAuth2 access token. Its description is redacted so that it cannot leak through string
/// interpolation, logging or error text; only the transport reads ``value``.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted token>" }
    public var debugDescription: String { description }
}

/// A source of bearer tokens for the API.
public protocol AccessTokenProvider: Sendable {
    /// A token valid for the next request, refreshing it first when needed.
    func accessToken() async throws -> AccessToken
    /// Called after the server rejected `token` with 401, so that the next call fetches a new one.
    func invalidate(_ token: AccessToken) async
    /// Where the token comes from, for `auth status` and error messages, e.g. "EEOPS_ACCESS_TOKEN".
    var sourceDescription: String { get }
}

extension AccessTokenProvider {
    /// True when a rejected token can be replaced by a fresh one.
    public var canRefresh: Bool { !(self is StaticAccessTokenProvider) }
}

/// A token given as it is: from `--access-token-file` or the `EEOPS_ACCESS_TOKEN` environment variable.
/// It cannot be refreshed: when the server rejects it, the error says so.
public struct StaticAccessTokenProvider: AccessTokenProvider {
    private let token: AccessToken
    public let sourceDescription: String

    public init(token: String, source: String) throws(OperationsError) {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .credentials("the access token from \(source) is empty") }
        guard trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .credentials("the access token from \(source) contains spaces, control or non-ASCII characters")
        }
        self.token = AccessToken(trimmed)
        self.sourceDescription = source
    }

    /// Takes the token from a file read as ``CredentialFile`` (the whole text, trimmed).
    public init(contentsOf file: CredentialFile) throws(OperationsError) {
        guard let text = String(data: file.contents, encoding: .utf8) else { throw .credentials("the access token file '\(file.path)' is not UTF-8 text") }
        try self.init(token: text, source: "access token file \(file.path)")
    }

    public func accessToken() async throws -> AccessToken { token }
    public func invalidate(_ token: AccessToken) async {}
}
