import EarthEngineOperations
import Foundation

/// What a request path asks for. Paths are matched by hand because operation ids may contain `/`
/// and Google's custom methods (`:cancel`, `:wait`) end the last segment.
enum EmulatorRoute: Equatable, Sendable {
    enum OperationMethod: Equatable, Sendable { case get, delete, cancel, wait }

    case discovery
    case algorithms(APIVersion, project: String)
    case list(APIVersion, project: String)
    case operation(APIVersion, project: String, id: String, method: OperationMethod)
    case admin([String])
    /// `POST /token`: the OAuth token endpoint.
    case token
    /// `GET /computeMetadata/v1/...`: the fake GCE metadata server (when enabled).
    case metadata([String])
    /// A path the API does not have (404), or a method it does not allow there (405).
    case notFound
    case methodNotAllowed

    /// Matches an HTTP method and a raw (percent-encoded) path.
    static func match(method: String, rawPath: String) -> EmulatorRoute {
        let path = rawPath.split(separator: "?", maxSplits: 1).first.map(String.init) ?? rawPath
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if segments.first == "" { segments.removeFirst() }
        if segments == ["$discovery", "rest"] || segments == ["%24discovery", "rest"] {
            return method == "GET" ? .discovery : .methodNotAllowed
        }
        if segments.first == "_emulator" { return .admin(Array(segments.dropFirst())) }
        if segments == ["token"] { return method == "POST" ? .token : .methodNotAllowed }
        if segments.starts(with: ["computeMetadata", "v1"]) { return method == "GET" ? .metadata(Array(segments.dropFirst(2))) : .methodNotAllowed }
        guard segments.count >= 4, let version = APIVersion(rawValue: segments[0]), segments[1] == "projects",
              let project = segments[2].removingPercentEncoding, !project.isEmpty
        else { return .notFound }
        let rest = Array(segments[3...])
        if rest == ["algorithms"] { return method == "GET" ? .algorithms(version, project: project) : .methodNotAllowed }
        if rest == ["operations"] { return method == "GET" ? .list(version, project: project) : .methodNotAllowed }
        guard rest.count >= 2, rest[0] == "operations" else { return .notFound }
        var idSegments = Array(rest.dropFirst())
        var custom: String?
        if let last = idSegments.last, let colon = last.lastIndex(of: ":") {
            custom = String(last[last.index(after: colon)...])
            idSegments[idSegments.count - 1] = String(last[..<colon])
        }
        let decoded = idSegments.map { $0.removingPercentEncoding }
        guard decoded.allSatisfy({ $0 != nil && !$0!.isEmpty }) else { return .notFound }
        let id = decoded.map { $0! }.joined(separator: "/")
        switch (method, custom) {
        case ("GET", nil): return .operation(version, project: project, id: id, method: .get)
        case ("DELETE", nil): return .operation(version, project: project, id: id, method: .delete)
        case ("POST", "cancel"): return .operation(version, project: project, id: id, method: .cancel)
        case ("POST", "wait"): return .operation(version, project: project, id: id, method: .wait)
        case (_, nil), (_, "cancel"), (_, "wait"): return .methodNotAllowed
        default: return .notFound
        }
    }
}
