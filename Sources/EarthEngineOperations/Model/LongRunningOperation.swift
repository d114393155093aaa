import Foundation

/// `google.longrunning.Operation` with Earth Engine's metadata (named so as not to clash with Foundation's `Operation`).
///
/// Its fields live in one immutable object, so that copying an operation, which the poller and the TUI do for
/// every operation of every listing, costs one reference count, and a table of 100,000 operations holds one
/// word per operation rather than 88 bytes. Setting a field makes a new object (value semantics).
public struct LongRunningOperation: Hashable, Sendable, Codable, Identifiable {
    private final class Storage: Sendable {
        let name: String
        let metadata: OperationMetadata?
        let done: Bool
        let error: Status?
        let response: JSONValue?

        init(name: String, metadata: OperationMetadata?, done: Bool, error: Status?, response: JSONValue?) {
            self.name = name
            self.metadata = metadata
            self.done = done
            self.error = error
            self.response = response
        }
    }

    private var storage: Storage

    /// `projects/P/operations/ID`; empty when the server omitted it.
    public var name: String {
        get { storage.name }
        set { storage = Storage(name: newValue, metadata: metadata, done: done, error: error, response: response) }
    }
    public var metadata: OperationMetadata? {
        get { storage.metadata }
        set { storage = Storage(name: name, metadata: newValue, done: done, error: error, response: response) }
    }
    /// Absent on the wire for a running operation (proto3 omits defaults), so false by default.
    public var done: Bool {
        get { storage.done }
        set { storage = Storage(name: name, metadata: metadata, done: newValue, error: error, response: response) }
    }
    /// Set once done when the operation failed or was cancelled (code 1).
    public var error: Status? {
        get { storage.error }
        set { storage = Storage(name: name, metadata: metadata, done: done, error: newValue, response: response) }
    }
    /// Set once done when the operation succeeded.
    public var response: JSONValue? {
        get { storage.response }
        set { storage = Storage(name: name, metadata: metadata, done: done, error: error, response: newValue) }
    }

    public var id: String { name }

    public init(name: String, metadata: OperationMetadata? = nil, done: Bool = false, error: Status? = nil, response: JSONValue? = nil) {
        storage = Storage(name: name, metadata: metadata, done: done, error: error, response: response)
    }

    /// The state to show: the metadata's state when present, else what `done`/`error` imply.
    public var state: OperationState {
        let storage = self.storage
        if let state = storage.metadata?.state, state != .unspecified { return state }
        if storage.done {
            guard let error = storage.error else { return .succeeded }
            return error.code == RPCCode.cancelled.rawValue ? .cancelled : .failed
        }
        return storage.metadata?.state ?? .unspecified
    }

    public static func == (a: LongRunningOperation, b: LongRunningOperation) -> Bool {
        let a = a.storage, b = b.storage
        return a === b || (a.name == b.name && a.done == b.done && a.error == b.error && a.response == b.response && a.metadata == b.metadata)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.name)
        hasher.combine(storage.metadata)
        hasher.combine(storage.done)
        hasher.combine(storage.error)
        hasher.combine(storage.response)
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
        storage = Storage(
            name: container.lenientString(.name) ?? "", metadata: container.lenient(OperationMetadata.self, .metadata),
            done: container.lenientBool(.done) ?? false, error: container.lenient(Status.self, .error),
            response: container.lenient(JSONValue.self, .response)
        )
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
