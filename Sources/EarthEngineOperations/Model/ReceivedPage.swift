/// A page of a listing as the server sent it (``OperationsClient/listAllReceived(project:pageSize:filter:limit:isolation:onPage:)``):
/// each operation's JSON with every member the server sent, in its order, checked and copied compact
/// (``JSONCompactor``), and its name. Nothing else is decoded until asked for, so that output of the JSON keeps
/// every field, including those this model does not know.
public struct ReceivedPage: Sendable {
    /// The operations' compact JSON, one after another, each followed by a line feed.
    private let json: [UInt8]
    /// Where each operation's JSON is in `json`, its line feed not included.
    private let elements: [Range<Int>]
    /// The operations' names, in order; empty for an operation without one, as when it is decoded.
    public let names: [String]
    public let nextPageToken: String?

    /// How many operations the page holds.
    public var count: Int { elements.count }

    /// A list page read in one pass (``JSONCompactor/appendPage(_:to:)``): each operation copied compact with its
    /// name; an element that is not an object is left out, as when the page is decoded. Nil when the compactor is
    /// unsure of anything: the caller then decodes the page, which repairs or explains.
    init?(page body: Span<UInt8>) {
        var json: [UInt8] = []
        json.reserveCapacity(body.count)
        guard let page = JSONCompactor.appendPage(body, to: &json) else { return nil }
        self.init(json: json, elements: page.elements, names: page.names, nextPageToken: page.nextPageToken)
    }

    /// One operation, the whole of `body`; nil when it is not an object the compactor is sure of.
    init?(operation body: Span<UInt8>) {
        var json: [UInt8] = []
        guard case .object(let name) = JSONCompactor.append(body, to: &json) else { return nil }
        let element = 0..<json.count
        json.append(UInt8(ascii: "\n"))
        self.init(json: json, elements: [element], names: [name], nextPageToken: nil)
    }

    /// A page that had to be decoded: its operations written again, as the model has them.
    init(_ decoded: ListOperationsResponse) {
        var writer = JSONWriter()
        var elements: [Range<Int>] = []
        for operation in decoded.operations {
            let start = writer.byteCount
            operation.write(to: &writer)
            elements.append(start..<writer.byteCount)
            writer.endLine()
        }
        self.init(json: writer.bytes, elements: elements, names: decoded.operations.map(\.name), nextPageToken: decoded.nextPageToken)
    }

    private init(json: [UInt8], elements: [Range<Int>], names: [String], nextPageToken: String?) {
        self.json = json
        self.elements = elements
        self.names = names
        self.nextPageToken = nextPageToken
    }


    /// The page as JSON lines, each operation's compact JSON and a line feed, lent in as few runs of bytes as they
    /// are stored in: one for a whole page, more when operations were left out (``selecting(_:)``). Written out as
    /// they are, a page is not copied once more on its way.
    public func withJSONLines(_ body: (Span<UInt8>) -> Void) {
        let bytes = json.span
        var run: Range<Int>?
        for element in elements {
            let line = element.lowerBound..<(element.upperBound + 1) // each element is followed by its line feed
            if let current = run, current.upperBound == line.lowerBound {
                run = current.lowerBound..<line.upperBound
                continue
            }
            if let current = run { body(bytes.extracting(current)) }
            run = line
        }
        if let run { body(bytes.extracting(run)) }
    }

    /// Copies operation `index` to `writer`, indented when the writer is (``JSONReader/copyValue(to:)``).
    public func copy(_ index: Int, to writer: inout JSONWriter) {
        // Checked when the page was read, so it reads again.
        _ = try? JSONReader.readDocument(json.span.extracting(elements[index])) { (reader) throws(JSONReadError) in try reader.copyValue(to: &writer) }
    }

    /// A 64-bit fingerprint of operation `index`'s bytes, the same in every process: the history compares it
    /// with the one it stored to skip decoding and writing operations that did not change.
    public func fingerprint(_ index: Int) -> UInt64 {
        json.span.extracting(elements[index]).fingerprint()
    }

    /// Operation `index`, decoded as a listing decodes it.
    public func operation(_ index: Int) -> LongRunningOperation {
        let decoded = try? JSONReader.readDocument(json.span.extracting(elements[index])) { (reader) throws(JSONReadError) in
            try LongRunningOperation.read(from: &reader)
        }
        return (decoded ?? nil) ?? LongRunningOperation(name: names[index])
    }
}

/// What the listing loop needs of a page: its operations' names, to drop those an earlier page had, and the
/// next page's token.
protocol ListedPage: Sendable {
    var names: [String] { get }
    var nextPageToken: String? { get }
    /// The page with only the operations at `indices`, in that order.
    func selecting(_ indices: [Int]) -> Self
}

extension ReceivedPage: ListedPage {
    public func selecting(_ indices: [Int]) -> ReceivedPage {
        ReceivedPage(json: json, elements: indices.map { elements[$0] }, names: indices.map { names[$0] }, nextPageToken: nextPageToken)
    }
}

extension ListOperationsResponse: ListedPage {
    var names: [String] { operations.map(\.name) }

    func selecting(_ indices: [Int]) -> ListOperationsResponse {
        ListOperationsResponse(operations: indices.map { operations[$0] }, nextPageToken: nextPageToken)
    }
}
