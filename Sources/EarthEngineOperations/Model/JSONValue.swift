/// An arbitrary JSON value, for the parts of the API whose shape is open (`LongRunningOperation.response`,
/// `Status.details`).
public enum JSONValue: Hashable, Sendable, JSONReadable, JSONWritable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> JSONValue? {
        try reader.readValue()
    }

    /// Object members in the byte order of their keys, so that equal values give equal bytes.
    public func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .number(let value): writer.number(value)
        case .string(let value): writer.string(value)
        case .array(let values):
            writer.beginArray()
            for value in values { value.write(to: &writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            if members.count == 1, let (key, value) = members.first {
                writer.key(key)
                value.write(to: &writer)
            } else {
                for key in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    writer.key(key)
                    members[key]!.write(to: &writer)
                }
            }
            writer.endObject()
        }
    }

    /// The string, when this value is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
