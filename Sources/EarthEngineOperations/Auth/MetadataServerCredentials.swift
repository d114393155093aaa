import Foundation
import NIOHTTP1

/// The metadata server of Google Compute Engine and Cloud Shell: tokens of the instance's service account.
public struct MetadataServerCredentials: TokenFetcher {
    /// `GCE_METADATA_HOST` (host[:port]) or the standard name.
    public let host: String
    public let scopes: [String]

    public init(host: String, scopes: [String]) {
        self.host = host
        self.scopes = scopes
    }

    /// The host to use: `GCE_METADATA_HOST` when set; the standard name only when this machine looks like a
    /// Google Compute Engine VM (so that elsewhere start-up sends nothing and waits for nothing).
    public static func host(environment: [String: String]) -> String? {
        if let host = environment["GCE_METADATA_HOST"], !host.isEmpty { return host }
        let product = (try? String(contentsOfFile: "/sys/class/dmi/id/product_name", encoding: .utf8)) ?? ""
        return product.contains("Google") ? "metadata.google.internal" : nil
    }

    /// True when the metadata server answers within `timeout` (and says it is one).
    public func isAvailable(timeout: Duration = .milliseconds(800)) async -> Bool {
        guard let exchange = try? await get("/computeMetadata/v1/", timeout: timeout) else { return false }
        return exchange.headers.first(name: "Metadata-Flavor") == "Google"
    }

    public func fetchToken() async throws(OperationsError) -> OAuthToken {
        var path = "/computeMetadata/v1/instance/service-accounts/default/token"
        if !scopes.isEmpty { path += "?scopes=" + OAuthTokenEndpoint.formEncode(scopes.joined(separator: ",")) }
        let exchange: HTTPExchange
        do { exchange = try await get(path, timeout: .seconds(10)) } catch {
            throw .authentication("could not get a token from the metadata server \(host): \(OperationsClient.describeTransportError(error))")
        }
        struct Answer: Decodable { var access_token: String; var expires_in: Double? }
        guard exchange.status == 200, let answer = try? JSONDecoder().decode(Answer.self, from: exchange.body) else {
            throw .authentication("the metadata server \(host) answered HTTP \(exchange.status) instead of a token (is a service account attached to this VM, with the Earth Engine scope?)")
        }
        return OAuthToken(token: AccessToken(answer.access_token), expiresAt: answer.expires_in.map { Date().addingTimeInterval(ServerDuration.clamp($0, to: ServerDuration.maxTokenLifetime)) })
    }

    /// The attached service account's email, when the server tells it.
    public func accountEmail() async -> String? {
        guard let exchange = try? await get("/computeMetadata/v1/instance/service-accounts/default/email", timeout: .seconds(2)),
              exchange.status == 200 else { return nil }
        return String(buffer: exchange.body).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func get(_ path: String, timeout: Duration) async throws -> HTTPExchange {
        var headers = HTTPHeaders()
        headers.add(name: "Metadata-Flavor", value: "Google")
        // The metadata server is reached over plain HTTP by design (link-local, on the VM); it issues
        // tokens and is never sent one.
        return try await HTTPTransport.shared.send(method: .GET, url: "http://\(host)\(path)", headers: headers, body: nil, timeout: timeout)
    }
}
