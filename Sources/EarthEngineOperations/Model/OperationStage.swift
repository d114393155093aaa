/// Progress of one discrete stage of an operation's most recent attempt.
public struct OperationStage: Hashable, Sendable, JSONReadable, JSONWritable {
    public var displayName: String?
    public var description: String?
    @CompactOptional public var completeWorkUnits: Int?
    @CompactOptional public var totalWorkUnits: Int?

    public init(displayName: String?, description: String? = nil, completeWorkUnits: Int? = nil, totalWorkUnits: Int? = nil) {
        self.displayName = displayName
        self.description = description
        self.completeWorkUnits = completeWorkUnits
        self.totalWorkUnits = totalWorkUnits
    }

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> OperationStage? {
        guard try reader.nextKind() == .object else { try reader.skipValue(); return nil }
        var stage = OperationStage(displayName: nil)
        try reader.readObject { key, reader throws(JSONReadError) in
            switch key {
            case "displayName": stage.displayName = try reader.lenientSharedString()
            case "description": stage.description = try reader.lenientSharedString()
            case "completeWorkUnits": stage.completeWorkUnits = try reader.lenientInt()
            case "totalWorkUnits": stage.totalWorkUnits = try reader.lenientInt()
            default: try reader.skipValue()
            }
        }
        return stage
    }

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let completeWorkUnits { writer.key("completeWorkUnits"); writer.number(completeWorkUnits) }
        if let description { writer.key("description"); writer.string(description) }
        if let displayName { writer.key("displayName"); writer.string(displayName) }
        if let totalWorkUnits { writer.key("totalWorkUnits"); writer.number(totalWorkUnits) }
        writer.endObject()
    }
}

/// A notification attached to an operation (e.g. a warning about the export).
public struct OperationNotification: Hashable, Sendable, JSONReadable, JSONWritable {
    /// SEVERITY_UNSPECIFIED, WARNING or SEVERE (other values kept as they are).
    public var severity: String?
    public var topic: String?
    public var detail: String?

    public init(severity: String?, topic: String?, detail: String?) {
        self.severity = severity
        self.topic = topic
        self.detail = detail
    }

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> OperationNotification? {
        guard try reader.nextKind() == .object else { try reader.skipValue(); return nil }
        var notification = OperationNotification(severity: nil, topic: nil, detail: nil)
        try reader.readObject { key, reader throws(JSONReadError) in
            switch key {
            case "severity": notification.severity = try reader.lenientSharedString()
            case "topic": notification.topic = try reader.lenientSharedString()
            case "detail": notification.detail = try reader.lenientSharedString()
            default: try reader.skipValue()
            }
        }
        return notification
    }

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let detail { writer.key("detail"); writer.string(detail) }
        if let severity { writer.key("severity"); writer.string(severity) }
        if let topic { writer.key("topic"); writer.string(topic) }
        writer.endObject()
    }
}
