import AsyncHTTPClient
import Foundation
import NIOCore

/// Posts to the emulator's test controls (`/_emulator/...`).
public enum ControlClient {
    public static func post(url: URL, body: String) async throws -> String {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    public static func get(url: URL) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
    }
}
