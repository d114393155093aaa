import EarthEngineOperations

/// The discovery documents the official clients fetch at start (`GET /$discovery/rest?version=V`).
///
/// `Resources/discovery-v1.json` is the v1 Operations surface, copied from the public REST reference's
/// discovery document (the operations subset), embedded in the binary at build time. The v1beta and v1alpha
/// documents differ only in the version, which ``json(for:rootURL:)`` substitutes.
public enum DiscoveryDocument {
    static let v1Template = String(decoding: PackageResources.discovery_v1_json, as: UTF8.self).trimmingCharacters(in: .newlines)

    /// The document for `version`, with `rootUrl` and `baseUrl` pointing at `rootURL` (which ends in `/`)
    /// so that clients send their calls to the emulator.
    public static func json(for version: APIVersion, rootURL: String? = nil) -> String {
        var document = v1Template
        if version != .v1 {
            let name = version.rawValue
            document = document.replacingOccurrences(of: "\"v1/", with: "\"\(name)/")
                .replacingOccurrences(of: "\"version\": \"v1\"", with: "\"version\": \"\(name)\"")
                .replacingOccurrences(of: "earthengine:v1\"", with: "earthengine:\(name)\"")
        }
        if let rootURL {
            document = document
                .replacingOccurrences(of: "\"rootUrl\": \"https://earthengine.googleapis.com/\"", with: "\"rootUrl\": \"\(rootURL)\"")
                .replacingOccurrences(of: "\"baseUrl\": \"https://earthengine.googleapis.com/\"", with: "\"baseUrl\": \"\(rootURL)\"")
        }
        return document
    }
}
