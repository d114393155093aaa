/// `google.rpc.Status`: the error of a failed or cancelled operation.
public struct Status: Hashable, Sendable, Codable {
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

    private enum CodingKeys: String, CodingKey { case code, message, details }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = container.lenientInt(.code) ?? RPCCode.unknown.rawValue
        message = container.lenientString(.message) ?? ""
        details = container.lenientArray(JSONValue.self, .details)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        if !message.isEmpty { try container.encode(message, forKey: .message) }
        try container.encodeUnlessEmpty(details, forKey: .details)
    }
}
