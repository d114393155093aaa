import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The OAuth 2.0 token endpoint: form posts that exchange a grant for an access token, with the
/// endpoint's errors turned into messages that say why and what to do.
struct OAuthTokenEndpoint: Sendable {
    let url: String
    /// Names the credentials in error messages, e.g. "service-account key /path/key.json".
    let source: String

    /// Checks that a token endpoint is HTTPS (or plain HTTP to loopback).
    static func validate(_ text: String, source: String) throws(OperationsError) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), let host = components.host else {
            throw .credentials("invalid token_uri '\(text)' in \(source)")
        }
        guard scheme == "https" || (scheme == "http" && ServiceEndpoint.isLoopbackHost(host)) else {
            throw .credentials("refusing token_uri '\(text)' in \(source): credentials are only sent over HTTPS (or plain HTTP to loopback)")
        }
        return text
    }

    /// Posts `form` and returns the token.
    func exchange(_ form: [(String, String)]) async throws(OperationsError) -> OAuthToken {
        let body = form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        headers.add(name: "Accept", value: "application/json")
        let exchange: HTTPExchange
        do {
            exchange = try await HTTPTransport.shared.send(method: .POST, url: url, headers: headers, body: Data(body.utf8), timeout: .seconds(30))
        } catch {
            throw .authentication("could not refresh the access token from \(source): network error reaching \(url): \(OperationsClient.describeTransportError(error))")
        }
        struct Success: Decodable { var access_token: String; var expires_in: Double?; var token_type: String? }
        struct Failure: Decodable { var error: String; var error_description: String? }
        if (200..<300).contains(exchange.status), let success = try? JSONDecoder().decode(Success.self, from: exchange.body), !success.access_token.isEmpty {
            return OAuthToken(token: AccessToken(success.access_token), expiresAt: success.expires_in.map { Date().addingTimeInterval(ServerDuration.clamp($0, to: ServerDuration.maxTokenLifetime)) })
        }
        if let failure = try? JSONDecoder().decode(Failure.self, from: exchange.body) {
            throw .authentication(Self.explain(error: ServerText.message(failure.error, limit: 100), description: ServerText.message(failure.error_description ?? ""), source: source))
        }
        throw .authentication("could not refresh the access token from \(source): HTTP \(exchange.status) from \(url)")
    }

    /// A message that says why a grant was refused and what to do.
    static func explain(error: String, description: String, source: String) -> String {
        let detail = description.isEmpty ? error : "\(error): \(description)"
        let lowered = description.lowercased()
        let hint: String
        switch error {
        case "invalid_grant" where lowered.contains("timeframe") || lowered.contains("iat ") || lowered.contains("clock"):
            hint = "the machine's clock may be wrong (clock skew): check it with `date -u`"
        case "invalid_grant" where lowered.contains("signature") || lowered.contains("account not found") || lowered.contains("key"):
            hint = "the service-account key was deleted, disabled or is not valid: create a new key"
        case "invalid_grant":
            hint = "the refresh token was revoked or has expired: sign in again (earthengine authenticate, or gcloud auth application-default login)"
        case "invalid_scope":
            hint = "the credentials may not ask for this scope (wrong scope)"
        case "invalid_client", "unauthorized_client":
            hint = "the OAuth client id or secret in the credentials is wrong"
        default:
            hint = "the token endpoint refused the credentials"
        }
        return "could not refresh the access token from \(source): \(detail) (\(hint))"
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
