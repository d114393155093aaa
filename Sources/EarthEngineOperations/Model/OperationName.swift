/// A validated operation resource name, `projects/{project}/operations/{id}`.
///
/// LongRunningOperation ids may contain `/` (the API's path template is `projects/*/operations/**`); every other
/// reserved character is percent-encoded when the name is put in a URL.
public struct OperationName: Hashable, Sendable, CustomStringConvertible {
    public let project: String
    public let operationID: String

    /// The resource name, `projects/P/operations/ID`.
    public var description: String { "projects/\(project)/operations/\(operationID)" }

    /// The name as a URL path (no leading slash), with every reserved character but `/` percent-encoded.
    public var urlPath: String {
        "projects/\(OperationName.percentEncode(project))/operations/\(OperationName.percentEncode(operationID))"
    }

    public init(project: String, operationID: String) throws(NameError) {
        try ProjectID.validate(project)
        try OperationName.validate(operationID: operationID)
        self.project = project
        self.operationID = operationID
    }

    /// Parses `projects/P/operations/ID`, or a bare `ID` resolved against `defaultProject`.
    public init(parsing text: String, defaultProject: String?) throws(NameError) {
        if text.hasPrefix("projects/") {
            let rest = text.dropFirst("projects/".count)
            guard let slash = rest.firstIndex(of: "/") else { throw NameError.malformed(text, "expected projects/PROJECT/operations/ID") }
            let project = String(rest[..<slash])
            let tail = rest[rest.index(after: slash)...]
            guard tail.hasPrefix("operations/") else { throw NameError.malformed(text, "expected projects/PROJECT/operations/ID") }
            try self.init(project: project, operationID: String(tail.dropFirst("operations/".count)))
        } else {
            guard let defaultProject else { throw NameError.noProject(text) }
            if text.hasPrefix("operations/") {
                try self.init(project: defaultProject, operationID: String(text.dropFirst("operations/".count)))
            } else {
                try self.init(project: defaultProject, operationID: text)
            }
        }
    }

    /// The project part of a full name (`P` of `projects/P/operations/ID`), read without checking the rest; nil
    /// when the text does not start so.
    public static func project(of name: String) -> String? {
        guard name.hasPrefix("projects/") else { return nil }
        let rest = name.utf8.dropFirst("projects/".count)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        return String(name[rest.startIndex..<slash])
    }

    /// Parses a full name, returning nil when it is not one.
    public init?(validating text: String) {
        guard text.hasPrefix("projects/"), let name = try? OperationName(parsing: text, defaultProject: nil) else { return nil }
        self = name
    }

    static func validate(operationID id: String) throws(NameError) {
        guard !id.isEmpty else { throw NameError.malformed(id, "the operation id is empty") }
        guard id.utf8.count <= 1024 else { throw NameError.malformed(String(id.prefix(40)) + "…", "the operation id is longer than 1024 bytes") }
        guard !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " || $0.properties.isWhitespace })
        else { throw NameError.malformed(id, "the operation id contains whitespace or control characters") }
        for segment in id.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty else { throw NameError.malformed(id, "the operation id has an empty path segment") }
            guard segment != ".", segment != ".." else { throw NameError.malformed(id, "the operation id has a '.' or '..' segment") }
        }
    }

    /// Percent-encodes everything but the RFC 3986 unreserved characters and `/`.
    public static func percentEncode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return result
    }
}

/// Google Cloud project ids as Earth Engine accepts them.
public enum ProjectID {
    /// Accepts project ids (`my-project-123`), project numbers, and domain-scoped ids (`example.com:proj`).
    public static func validate(_ project: String) throws(NameError) {
        guard !project.isEmpty else { throw NameError.invalidProject(project, "the project id is empty") }
        guard project.utf8.count <= 100 else { throw NameError.invalidProject(String(project.prefix(40)) + "…", "it is longer than 100 characters") }
        let allowed = project.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
        guard allowed else {
            throw NameError.invalidProject(project, "project ids use lower-case letters, digits, '-', and for domain-scoped ids '.' and ':'")
        }
        guard let first = project.utf8.first, let last = project.utf8.last,
              first != UInt8(ascii: "-"), last != UInt8(ascii: "-"), first != UInt8(ascii: ":"), last != UInt8(ascii: ":")
        else { throw NameError.invalidProject(project, "a project id cannot start or end with '-' or ':'") }
    }
}

/// A name or project id that was rejected before any request was sent.
public enum NameError: Error, Equatable, CustomStringConvertible {
    case malformed(String, String)
    case invalidProject(String, String)
    case noProject(String)

    public var description: String {
        switch self {
        case .malformed(let name, let why): "invalid operation name '\(name)': \(why)"
        case .invalidProject(let project, let why): "invalid project id '\(project)': \(why)"
        case .noProject(let id): "cannot resolve '\(id)': give the full name projects/PROJECT/operations/ID or set a project (--project or EEOPS_PROJECT)"
        }
    }
}
