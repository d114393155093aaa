import Foundation

/// `google.longrunning.Operation` with Earth Engine's metadata (named so as not to clash with Foundation's `Operation`).
///
/// Its fields live in one immutable object, so that copying an operation, which the poller and the TUI do for
/// every operation of every listing, costs one reference count, and a table of 100,000 operations holds one
/// word per operation rather than 88 bytes. Setting a field makes a new object (value semantics).
public struct LongRunningOperation: Hashable, Sendable, Identifiable, JSONReadable, JSONWritable {
    /// The fields, cheapest to compare first.
    private struct Fields: Hashable, Sendable {
        var name: String
        var done: Bool
        /// True when this copy leaves out the details of a finished operation (``summarized()``).
        var isSummary = false
        /// The error and response, set only once done: one word while running, and one object shared by
        /// all the operations that ended alike (most often, with an empty response).
        private var outcome: Outcome?
        var metadata: OperationMetadata?

        // Consuming: the decoder's fields move in rather than being copied, which retained and released each
        // of their strings and arrays once more per operation.
        init(name: consuming String, done: Bool, error: Status?, response: JSONValue?, metadata: consuming OperationMetadata?) {
            self.name = name
            self.done = done
            outcome = Outcome.make(error: error, response: response)
            self.metadata = metadata
        }

        var error: Status? {
            get { outcome?.error }
            set { outcome = Outcome.make(error: newValue, response: response) }
        }

        var response: JSONValue? {
            get { outcome?.response }
            set { outcome = Outcome.make(error: error, response: newValue) }
        }
    }

    /// How a done operation ended, compared by value.
    final class Outcome: Hashable, Sendable {
        let error: Status?
        let response: JSONValue?

        private init(error: Status?, response: JSONValue?) {
            self.error = error
            self.response = response
        }

        /// Nil when there is neither; else the shared copy when both parts are small.
        static func make(error: Status?, response: JSONValue?) -> Outcome? {
            guard error != nil || response != nil else { return nil }
            if error == nil, response == LongRunningOperation.emptyResponse { return succeededEmpty }
            return Shared.outcome(Outcome(error: error, response: response))
        }

        /// The outcome of nearly every operation that succeeded, shared without a look-up.
        private static let succeededEmpty = Outcome(error: nil, response: LongRunningOperation.emptyResponse)

        static func == (a: Outcome, b: Outcome) -> Bool { a === b || (a.error == b.error && a.response == b.response) }

        func hash(into hasher: inout Hasher) {
            hasher.combine(error)
            hasher.combine(response)
        }
    }

    private final class Storage: Sendable {
        let fields: Fields
        init(_ fields: consuming Fields) { self.fields = fields }
    }

    private var storage: Storage

    /// Sets fields in a new object: copies made before keep theirs.
    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = storage.fields
        change(&fields)
        storage = Storage(fields)
    }

    /// `projects/P/operations/ID`; empty when the server omitted it.
    public var name: String {
        get { storage.fields.name }
        set { update { $0.name = newValue } }
    }
    public var metadata: OperationMetadata? {
        get { storage.fields.metadata }
        set { update { $0.metadata = newValue } }
    }
    /// Absent on the wire for a running operation (proto3 omits defaults), so false by default.
    public var done: Bool {
        get { storage.fields.done }
        set { update { $0.done = newValue } }
    }
    /// Set once done when the operation failed or was cancelled (code 1).
    public var error: Status? {
        get { storage.fields.error }
        set { update { $0.error = newValue } }
    }
    /// Set once done when the operation succeeded.
    public var response: JSONValue? {
        get { storage.fields.response }
        set { update { $0.response = newValue } }
    }

    public var id: String { name }

    /// True when this copy leaves out the details a table does not show (``summarized()``): a `get` of the
    /// operation gives them.
    public var isSummary: Bool { storage.fields.isSummary }

    /// This operation without its stages, script, destinations and notifications once it is done: what a table
    /// of a long history keeps of the operations whose details are not open, about half of an operation's memory.
    /// An operation still active, or without such details, is returned whole (its details still change, or
    /// there are none to leave out).
    public func summarized() -> LongRunningOperation {
        guard state.isTerminal, !storage.fields.isSummary, var metadata = storage.fields.metadata, metadata.details != nil else { return self }
        metadata.details = nil
        var summary = self
        summary.update {
            $0.metadata = metadata
            $0.isSummary = true
        }
        return summary
    }

    public init(name: consuming String, metadata: consuming OperationMetadata? = nil, done: Bool = false, error: Status? = nil, response: JSONValue? = nil) {
        storage = Storage(Fields(name: name, done: done, error: error, response: response, metadata: metadata))
    }

    /// The state to show: the metadata's state when present, else what `done`/`error` imply.
    public var state: OperationState {
        let fields = storage.fields
        if let state = fields.metadata?.state, state != .unspecified { return state }
        if fields.done {
            guard let error = fields.error else { return .succeeded }
            return error.code == RPCCode.cancelled.rawValue ? .cancelled : .failed
        }
        return fields.metadata?.state ?? .unspecified
    }

    public static func == (a: LongRunningOperation, b: LongRunningOperation) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.fields)
    }

    /// The last path segments after `operations/`, e.g. `ABC123`.
    /// The id part of `projects/P/operations/ID` (which may contain `/`), or the whole name when it has another shape.
    /// A slice, not a validation: the TUI asks for it for every row it filters.
    public var shortID: String {
        guard let (_, id) = nameParts else { return name }
        return String(name[id...])
    }

    /// The project part of `projects/P/operations/ID`, or nil when the name has another shape. A slice, not a
    /// validation (``OperationName/init(validating:)`` validates): the history keys every operation it keeps by it.
    public var projectID: String? {
        guard let (project, _) = nameParts else { return nil }
        return String(name[project])
    }

    /// Where the project and the id lie in `projects/P/operations/ID`, both non-empty; nil for another shape.
    private var nameParts: (project: Range<String.Index>, id: String.Index)? {
        let prefix = "projects/".utf8, infix = "/operations/".utf8
        let bytes = name.utf8
        guard bytes.starts(with: prefix) else { return nil }
        let afterPrefix = bytes.index(bytes.startIndex, offsetBy: prefix.count)
        guard let slash = bytes[afterPrefix...].firstIndex(of: UInt8(ascii: "/")), slash > afterPrefix,
              bytes[slash...].starts(with: infix) else { return nil }
        let id = bytes.index(slash, offsetBy: infix.count)
        return id < bytes.endIndex ? (afterPrefix..<slash, id) : nil
    }

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> LongRunningOperation? {
        guard try reader.nextKind() == .object else { try reader.skipValue(); return nil }
        var name: String?, done: Bool?, error: Status?, response: JSONValue?, metadata: OperationMetadata?
        try reader.readObject { key, reader throws(JSONReadError) in
            switch key {
            case "name": name = try reader.lenientString()
            case "done": done = try reader.lenientBool()
            case "error": error = try Status.read(from: &reader)
            case "response":
                response = reader.take(exactly: emptyResponseJSON) ? emptyResponse : try reader.lenientValue()
            case "metadata": metadata = try OperationMetadata.read(from: &reader)
            default: try reader.skipValue()
            }
        }
        return LongRunningOperation(name: (consume name) ?? "", metadata: consume metadata, done: done ?? false, error: error, response: response)
    }

    /// `{"@type": "type.googleapis.com/google.protobuf.Empty"}`, the response of an operation that succeeded
    /// with nothing to return (exports and ingestions).
    public static let emptyResponse = try! JSONValue(json: Data(
        bytes: emptyResponseJSON.utf8Start, count: emptyResponseJSON.utf8CodeUnitCount
    ))

    /// ``emptyResponse`` as the API writes it, which decoding recognises byte for byte.
    private static let emptyResponseJSON: StaticString = #"{"@type":"type.googleapis.com/google.protobuf.Empty"}"#

    public func write(to writer: inout JSONWriter) {
        // Read in place from the storage: a copy of the fields retained and released each of them.
        writer.beginObject()
        if storage.fields.done {
            writer.key("done")
            writer.bool(true)
        }
        if let error = storage.fields.error {
            writer.key("error")
            error.write(to: &writer)
        }
        if storage.fields.metadata != nil {
            writer.key("metadata")
            storage.fields.metadata!.write(to: &writer)
        }
        writer.key("name")
        writer.string(storage.fields.name)
        if let response = storage.fields.response {
            writer.key("response")
            response.write(to: &writer)
        }
        writer.endObject()
    }
}

/// One page of `projects.operations.list`.
public struct ListOperationsResponse: Hashable, Sendable, JSONReadable, JSONWritable {
    public var operations: [LongRunningOperation]
    /// Absent or empty on the last page.
    public var nextPageToken: String?

    public init(operations: [LongRunningOperation], nextPageToken: String? = nil) {
        self.operations = operations
        self.nextPageToken = nextPageToken
    }

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> ListOperationsResponse? {
        guard try reader.nextKind() == .object else { try reader.skipValue(); return nil }
        var operations: [LongRunningOperation] = [], token: String?
        try reader.readObject { key, reader throws(JSONReadError) in
            switch key {
            case "operations": operations = try reader.lenientArray(LongRunningOperation.read)
            case "nextPageToken": token = try reader.lenientString()
            default: try reader.skipValue()
            }
        }
        return ListOperationsResponse(operations: operations, nextPageToken: (token?.isEmpty ?? true) ? nil : token)
    }

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let nextPageToken {
            writer.key("nextPageToken")
            writer.string(nextPageToken)
        }
        writer.array("operations", operations)
        writer.endObject()
    }
}
