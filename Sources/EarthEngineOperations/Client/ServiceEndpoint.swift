import Foundation

/// Where the API is served, validated so that credentials only ever travel over HTTPS, or plain HTTP
/// to a loopback address.
public struct ServiceEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The production endpoint.
    public static let production = try! ServiceEndpoint("https://earthengine.googleapis.com")

    /// Scheme, host and port, without a trailing slash: `https://earthengine.googleapis.com`.
    public let baseURL: String
    public let isLoopback: Bool

    public var description: String { baseURL }

    public init(_ text: String) throws(OperationsError) {
        var trimmed = String(text.drop(while: \.isWhitespace))
        while let last = trimmed.last, last.isWhitespace || last == "/" { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { throw .configuration("invalid endpoint '\(text)': expected a URL such as https://earthengine.googleapis.com") }
        guard components.path.isEmpty, components.query == nil, components.fragment == nil, components.user == nil
        else { throw .configuration("invalid endpoint '\(text)': give only scheme, host and port, without a path or query") }
        let loopback = ServiceEndpoint.isLoopbackHost(host)
        switch scheme {
        case "https": break
        case "http":
            guard loopback else {
                throw .configuration("refusing plain HTTP to '\(host)': only loopback endpoints (127.0.0.0/8, ::1, localhost) may use http://; use https://")
            }
        default:
            throw .configuration("invalid endpoint '\(text)': the scheme must be https (or http for loopback)")
        }
        self.baseURL = trimmed
        self.isLoopback = loopback
    }

    /// True for `localhost`, 127.0.0.0/8 and ::1.
    public static func isLoopbackHost(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }
}
