import Crypto
import Foundation
import _CryptoExtras

/// A service-account key file (`"type": "service_account"`): signs a JWT with the key (RS256) and
/// exchanges it at the key's `token_uri` for an access token.
public struct ServiceAccountCredentials: TokenFetcher {
    public struct KeyFile: Decodable, Sendable {
        public var type: String?
        public var project_id: String?
        public var private_key_id: String?
        public var private_key: String
        public var client_email: String
        public var token_uri: String?
    }

    public let key: KeyFile
    public let scopes: [String]
    private let signingKey: _RSA.Signing.PrivateKey
    private let endpoint: OAuthTokenEndpoint

    public init(json: Data, path: String, scopes: [String]) throws(OperationsError) {
        let source = "service-account key \(path)"
        guard let key = try? JSONDecoder().decode(KeyFile.self, from: json) else {
            throw .credentials("\(source) is not a service-account key file (expected JSON with client_email and private_key)")
        }
        guard key.type == nil || key.type == "service_account" else {
            throw .credentials("\(source) has type '\(key.type ?? "")', not service_account")
        }
        do {
            signingKey = try _RSA.Signing.PrivateKey(pemRepresentation: key.private_key)
        } catch {
            throw .credentials("the private key in \(source) cannot be read (expected an RSA key of at least 2048 bits in PEM)")
        }
        self.key = key
        self.scopes = scopes
        endpoint = OAuthTokenEndpoint(url: try OAuthTokenEndpoint.validate(key.token_uri ?? "https://oauth2.googleapis.com/token", source: source), source: source)
    }

    public func fetchToken() async throws(OperationsError) -> OAuthToken {
        let assertion: String
        do { assertion = try signedAssertion(now: Date()) } catch { throw .authentication("could not sign the JWT for \(key.client_email): \(error)") }
        return try await endpoint.exchange([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)])
    }

    /// The JWT-bearer assertion: RS256 (PKCS#1 v1.5 with SHA-256), valid for an hour from `now`.
    public func signedAssertion(now: Date) throws -> String {
        var header: [String: String] = ["alg": "RS256", "typ": "JWT"]
        if let kid = key.private_key_id { header["kid"] = kid }
        let issued = Int(now.timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": key.client_email, "scope": scopes.joined(separator: " "), "aud": endpoint.url,
            "iat": issued, "exp": issued + 3600,
        ]
        let encodedHeader = JWT.base64URL(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        let encodedClaims = JWT.base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes]))
        let input = "\(encodedHeader).\(encodedClaims)"
        let signature = try signingKey.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return "\(input).\(JWT.base64URL(signature.rawRepresentation))"
    }
}

/// Compact JWTs: base64url coding and RS256 verification (the emulator checks assertions with it).
public enum JWT {
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decodeBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// The claims of an RS256 JWT whose signature `publicKey` verifies; nil otherwise.
    public static func verifiedClaims(_ token: String, publicKey: _RSA.Signing.PublicKey) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = decodeBase64URL(parts[0]), let claimsData = decodeBase64URL(parts[1]),
              let signature = decodeBase64URL(parts[2]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any], header["alg"] as? String == "RS256",
              publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: Data("\(parts[0]).\(parts[1])".utf8), padding: .insecurePKCS1v1_5)
        else { return nil }
        return try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any]
    }
}
