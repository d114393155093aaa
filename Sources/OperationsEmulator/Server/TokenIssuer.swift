import EarthEngineOperations
import Foundation
import _CryptoExtras

/// The emulator's OAuth side: the token endpoint (JWT-bearer and refresh-token grants), the fake
/// metadata server's tokens, and the set of tokens the API accepts.
final class TokenIssuer: Sendable {
    private let staticTokens: Set<String>
    private let serviceAccounts: [String: _RSA.Signing.PublicKey]
    private let refreshTokens: Set<String>
    private let lifetime: Duration
    private let issued = Locked<[String: Date]>([:])
    private let extraStatic = Locked<Set<String>>([])

    init(configuration: EmulatorConfiguration) throws {
        staticTokens = configuration.acceptedTokens
        refreshTokens = configuration.refreshTokens
        lifetime = configuration.tokenLifetime
        var keys: [String: _RSA.Signing.PublicKey] = [:]
        for (email, pem) in configuration.serviceAccounts { keys[email] = try _RSA.Signing.PublicKey(pemRepresentation: pem) }
        serviceAccounts = keys
    }

    /// True for a configured token or an issued one that has not expired.
    func accepts(_ token: String) -> Bool {
        if staticTokens.contains(token) || extraStatic.withLock({ $0.contains(token) }) { return true }
        return issued.withLock { $0[token].map { $0 > Date() } ?? false }
    }

    func addStatic(_ token: String) { extraStatic.withLock { _ = $0.insert(token) } }

    /// Every token issued so far (tests search outputs for them).
    var issuedTokens: [String] { issued.withLock { Array($0.keys) } }

    /// A new access token, valid for the configured lifetime.
    func issue() -> (token: String, expiresIn: Int) {
        let token = "ya29.emulator-" + (0..<32).map { _ in String("abcdefghijklmnopqrstuvwxyz0123456789".randomElement()!) }.joined()
        let seconds = lifetime.secondsValue
        issued.withLock { tokens in
            tokens = tokens.filter { $0.value > Date().addingTimeInterval(-600) }
            tokens[token] = Date().addingTimeInterval(seconds)
        }
        return (token, max(1, Int(seconds.rounded())))
    }

    /// `POST /token`: the OAuth error names and descriptions Google's endpoint uses.
    func grant(form: [String: String], endpointURL: String) -> (status: Int, body: [String: Any]) {
        switch form["grant_type"] {
        case "urn:ietf:params:oauth:grant-type:jwt-bearer":
            guard let assertion = form["assertion"] else { return (400, ["error": "invalid_request", "error_description": "Missing required parameter: assertion"]) }
            let parts = assertion.split(separator: ".")
            guard parts.count == 3, let claimsData = JWT.decodeBase64URL(parts[1]),
                  let unverified = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any],
                  let issuer = unverified["iss"] as? String
            else { return (400, ["error": "invalid_grant", "error_description": "Invalid JWT: malformed assertion."]) }
            guard let key = serviceAccounts[issuer] else { return (400, ["error": "invalid_grant", "error_description": "Invalid grant: account not found"]) }
            guard let claims = JWT.verifiedClaims(assertion, publicKey: key) else {
                return (400, ["error": "invalid_grant", "error_description": "Invalid JWT Signature."])
            }
            let now = Date().timeIntervalSince1970
            guard let issuedAt = (claims["iat"] as? NSNumber)?.doubleValue, let expires = (claims["exp"] as? NSNumber)?.doubleValue,
                  issuedAt <= now + 60, expires > now - 60, expires - issuedAt <= 3600
            else {
                return (400, ["error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."])
            }
            // Google's libraries put Google's token endpoint in `aud` whatever the key's token_uri is.
            guard let audience = claims["aud"] as? String, audience == endpointURL || audience == "https://oauth2.googleapis.com/token" else {
                return (400, ["error": "invalid_grant", "error_description": "Invalid JWT: Failed audience check. The right audience is \(endpointURL)"])
            }
            let scopes = (claims["scope"] as? String ?? "").split(separator: " ").map(String.init)
            guard scopes.contains(OAuthScope.earthEngine) || scopes.contains(OAuthScope.cloudPlatform) else {
                return (400, ["error": "invalid_scope", "error_description": "Invalid OAuth scope or ID token audience provided."])
            }
        case "refresh_token":
            guard let token = form["refresh_token"], refreshTokens.contains(token) else {
                return (400, ["error": "invalid_grant", "error_description": "Token has been expired or revoked."])
            }
        default:
            return (400, ["error": "unsupported_grant_type", "error_description": "Invalid grant_type: \(form["grant_type"] ?? "")"])
        }
        let (token, expiresIn) = issue()
        return (200, ["access_token": token, "expires_in": expiresIn, "token_type": "Bearer"])
    }

    /// A new RSA key pair for a test service account: the private key (PKCS#8 PEM) and the public key (PEM).
    static func makeKeyPair() throws -> (privateKeyPEM: String, publicKeyPEM: String) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return (key.pkcs8PEMRepresentation, key.publicKey.pemRepresentation)
    }

    /// A service-account key file as Google's console writes them, with the emulator's `token_uri`.
    static func keyFile(email: String, projectID: String, privateKeyPEM: String, tokenURI: String) throws -> Data {
        let object: [String: String] = [
            "type": "service_account", "project_id": projectID, "private_key_id": UUID().uuidString.lowercased(),
            "private_key": privateKeyPEM, "client_email": email, "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": tokenURI,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The public key of a service-account key file, so that the emulator can trust an existing key.
    static func publicKey(ofKeyFile json: Data) throws -> (email: String, publicKeyPEM: String) {
        struct File: Decodable { var client_email: String; var private_key: String }
        let file = try JSONDecoder().decode(File.self, from: json)
        return (file.client_email, try _RSA.Signing.PrivateKey(pemRepresentation: file.private_key).publicKey.pemRepresentation)
    }
}
