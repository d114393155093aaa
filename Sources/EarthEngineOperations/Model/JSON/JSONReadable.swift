import Foundation

/// Why a document is not JSON, and where.
public struct JSONReadError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// Offset in bytes from the start of the document.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }
}

/// A value of the API that reads itself from JSON, leniently: a field of the wrong type or `null` reads as
/// absent, a bad element of an array is skipped, unknown fields are ignored. Only a document that is not
/// JSON at all is an error.
///
/// The model is read straight from the bytes rather than through `Codable`, so that a page is decoded in one
/// pass, with no intermediate tree and no generic containers (docs/benchmarks.md).
public protocol JSONReadable {
    /// Reads one value; nil, with the value consumed, when it is of a kind this type cannot be read from.
    static func read(from reader: inout JSONReader) throws(JSONReadError) -> Self?
}

extension JSONReadable {
    /// Reads a whole document, which must hold exactly one value of this type.
    public init(json bytes: Span<UInt8>) throws(JSONReadError) {
        self = try JSONReader.readDocument(bytes) { reader throws(JSONReadError) in
            let start = reader.offset
            guard let value = try Self.read(from: &reader) else {
                throw JSONReadError(message: "expected \(Self.expectedKind)", offset: start)
            }
            return value
        }
    }

    public init(json data: Data) throws(JSONReadError) {
        try self.init(json: data.span)
    }

    public init(json bytes: [UInt8]) throws(JSONReadError) {
        try self.init(json: bytes.span)
    }

    static var expectedKind: String { "a JSON value that reads as \(Self.self)" }
}
