/// `google.rpc.Status`: the error of a failed or cancelled operation.
public struct Status: Hashable, Sendable, JSONReadable, JSONWritable {
    /// The google.rpc code (1 = CANCELLED).
    public var code: Int
    public var message: String
    public var details: [JSONValue]

    public init(code: Int, message: String, details: [JSONValue] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// The code as a typed value.
    public var rpcCode: RPCCode { RPCCode(rawValue: code) ?? .unknown }

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> Status? {
        guard try reader.nextKind() == .object else { try reader.skipValue(); return nil }
        var code: Int?, message: String?, details: [JSONValue] = []
        try reader.readObject { key, reader throws(JSONReadError) in
            switch key {
            case "code": code = try reader.lenientInt()
            case "message": message = try reader.lenientString()
            case "details": details = try reader.lenientArray { reader throws(JSONReadError) in try reader.readValue() }
            default: try reader.skipValue()
            }
        }
        return Status(code: code ?? RPCCode.unknown.rawValue, message: message ?? "", details: details)
    }

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("code")
        writer.number(code)
        writer.array("details", details)
        if !message.isEmpty { writer.key("message"); writer.string(message) }
        writer.endObject()
    }
}
