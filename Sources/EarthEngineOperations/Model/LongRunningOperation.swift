import Foundation

/// `google.longrunning.Operation` with Earth Engine's metadata (named so as not to clash with Foundation's `Operation`).
///
/// The metadata (a dozen strings and arrays) is kept in an immutable box, so that copying an operation, which
/// the poller and the TUI do for every operation of every listing, costs a few reference counts, not dozens.
public struct LongRunningOperation: Hashable, Sendable, Codable, Identifiable {
    /// `projects/P/operations/ID`; empty when the server omitted it.
    public var name: String
    public var metadata: OperationMetadata? {
        get { metadataBox?.value }
        set { metadataBox = newValue.map(MetadataBox.init) }
    }
    private var metadataBox: MetadataBox?
    /// Absent on the wire for a running operation (proto3 omits defaults), so false by default.
    public var done: Bool
    /// Set once done when the operation failed or was cancelled (code 1).
    public var error: Status?
    /// Set once done when the operation succeeded.
    public var response: JSONValue?

    public var id: String { name }

    public init(name: String, metadata: OperationMetadata? = nil, done: Bool = false, error: Status? = nil, response: JSONValue? = nil) {
        self.name = name
        self.metadataBox = metadata.map(MetadataBox.init)
        self.done = done
        self.error = error
        self.response = response
    }

    /// The state to show: the metadata's state when present, else what `done`/`error` imply.
    public var state: OperationState {
        if let state = metadataBox?.value.state, state != .unspecified { return state }
        if done {
            guard let error else { return .succeeded }
            return error.code == RPCCode.cancelled.rawValue ? .cancelled : .failed
        }
        return metadataBox?.value.state ?? .unspecified
    }

    public static func == (a: LongRunningOperation, b: LongRunningOperation) -> Bool {
        a.name == b.name && a.done == b.done && a.error == b.error && a.response == b.response
            && (a.metadataBox === b.metadataBox || a.metadataBox?.value == b.metadataBox?.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(metadataBox?.value)
        hasher.combine(done)
        hasher.combine(error)
        hasher.combine(response)
    }

    /// The last path segments after `operations/`, e.g. `ABC123`.
    /// The id part of `projects/P/operations/ID` (which may contain `/`), or the whole name when it has another shape.
    /// A slice, not a validation: the TUI asks for it for every row it filters.
    public var shortID: String {
        let prefix = "projects/".utf8, infix = "/operations/".utf8
        let bytes = name.utf8
        guard bytes.starts(with: prefix) else { return name }
        let afterPrefix = bytes.index(bytes.startIndex, offsetBy: prefix.count)
        guard let slash = bytes[afterPrefix...].firstIndex(of: UInt8(ascii: "/")), slash > afterPrefix,
              bytes[slash...].starts(with: infix) else { return name }
        let id = bytes.index(slash, offsetBy: infix.count)
        return id < bytes.endIndex ? String(name[id...]) : name
    }

    private enum CodingKeys: String, CodingKey { case name, metadata, done, error, response }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = container.lenientString(.name) ?? ""
        metadataBox = container.lenient(OperationMetadata.self, .metadata).map(MetadataBox.init)
        done = container.lenientBool(.done) ?? false
        error = container.lenient(Status.self, .error)
        response = container.lenient(JSONValue.self, .response)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(metadata, forKey: .metadata)
        if done { try container.encode(true, forKey: .done) }
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(response, forKey: .response)
    }
}

/// The immutable home of an operation's metadata (see ``LongRunningOperation``).
private final class MetadataBox: Sendable {
    let value: OperationMetadata
    init(_ value: OperationMetadata) { self.value = value }
}

/// One page of `projects.operations.list`.
public struct ListOperationsResponse: Hashable, Sendable, Codable {
    public var operations: [LongRunningOperation]
    /// Absent or empty on the last page.
    public var nextPageToken: String?

    public init(operations: [LongRunningOperation], nextPageToken: String? = nil) {
        self.operations = operations
        self.nextPageToken = nextPageToken
    }

    private enum CodingKeys: String, CodingKey { case operations, nextPageToken }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        operations = container.lenientArray(LongRunningOperation.self, .operations)
        let token = container.lenientString(.nextPageToken)
        nextPageToken = (token?.isEmpty ?? true) ? nil : token
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeUnlessEmpty(operations, forKey: .operations)
        try container.encodeIfPresent(nextPageToken, forKey: .nextPageToken)
    }
}
