import Foundation

/// `google.earthengine.v1.OperationMetadata`: what Earth Engine reports about a batch task.
/// Every field is optional on the wire; malformed fields decode as absent.
public struct OperationMetadata: Hashable, Sendable, JSONReadable, JSONWritable {
    /// The `@type` URL of the metadata message.
    public var typeURL: String?
    public var state: OperationState?
    public var description: String?
    /// A free string: EXPORT_IMAGE, EXPORT_FEATURES, INGEST_IMAGE, ...
    public var type: String?
    /// Higher runs first; the API's default is 100.
    @CompactOptional public var priority: Int?
    @CompactOptional public var createTime: Date?
    @CompactOptional public var updateTime: Date?
    @CompactOptional public var startTime: Date?
    @CompactOptional public var endTime: Date?
    /// 0...1 as the server sent it (not clamped; see ``clampedProgress``).
    @CompactOptional public var progress: Double?
    /// Starts at 1 and grows each time the task is retried.
    @CompactOptional public var attempt: Int?
    @CompactOptional public var batchEecuUsageSeconds: Double?
    /// The stages, script, destinations and notifications, in one object of their own (nil when all are empty):
    /// one word in the operation, which a summary drops (``LongRunningOperation/summarized()``).
    var details: Details?

    public var stages: [OperationStage] {
        get { details?.stages ?? [] }
        set { details = Details.make(stages: newValue, scriptUri: scriptUri, destinationUris: destinationUris, notifications: notifications) }
    }
    public var scriptUri: String? {
        get { details?.scriptUri }
        set { details = Details.make(stages: stages, scriptUri: newValue, destinationUris: destinationUris, notifications: notifications) }
    }
    public var destinationUris: [String] {
        get { details?.destinationUris ?? [] }
        set { details = Details.make(stages: stages, scriptUri: scriptUri, destinationUris: newValue, notifications: notifications) }
    }
    public var notifications: [OperationNotification] {
        get { details?.notifications ?? [] }
        set { details = Details.make(stages: stages, scriptUri: scriptUri, destinationUris: destinationUris, notifications: newValue) }
    }

    /// The fields that only a details view shows, compared by value.
    final class Details: Hashable, Sendable {
        let stages: [OperationStage]
        let scriptUri: String?
        let destinationUris: [String]
        let notifications: [OperationNotification]

        private init(stages: [OperationStage], scriptUri: String?, destinationUris: [String], notifications: [OperationNotification]) {
            self.stages = stages
            self.scriptUri = scriptUri
            self.destinationUris = destinationUris
            self.notifications = notifications
        }

        /// Nil when every field is empty.
        static func make(stages: [OperationStage], scriptUri: String?, destinationUris: [String], notifications: [OperationNotification]) -> Details? {
            guard !stages.isEmpty || scriptUri != nil || !destinationUris.isEmpty || !notifications.isEmpty else { return nil }
            return Details(stages: stages, scriptUri: scriptUri, destinationUris: destinationUris, notifications: notifications)
        }

        static func == (a: Details, b: Details) -> Bool {
            a === b || (a.stages == b.stages && a.scriptUri == b.scriptUri && a.destinationUris == b.destinationUris && a.notifications == b.notifications)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(stages)
            hasher.combine(scriptUri)
            hasher.combine(destinationUris)
            hasher.combine(notifications)
        }
    }


    public init(
        typeURL: String? = nil, state: OperationState? = nil, description: String? = nil, type: String? = nil,
        priority: Int? = nil, createTime: Date? = nil, updateTime: Date? = nil, startTime: Date? = nil,
        endTime: Date? = nil, progress: Double? = nil, stages: [OperationStage] = [], attempt: Int? = nil,
        scriptUri: String? = nil, destinationUris: [String] = [], notifications: [OperationNotification] = [],
        batchEecuUsageSeconds: Double? = nil
    ) {
        self.typeURL = typeURL
        self.state = state
        self.description = description
        self.type = type
        self.priority = priority
        self.createTime = createTime
        self.updateTime = updateTime
        self.startTime = startTime
        self.endTime = endTime
        self.progress = progress
        self.attempt = attempt
        self.batchEecuUsageSeconds = batchEecuUsageSeconds
        details = Details.make(stages: stages, scriptUri: scriptUri, destinationUris: destinationUris, notifications: notifications)
    }

    /// Progress limited to 0...1, for display.
    public var clampedProgress: Double? { progress.map { min(1, max(0, $0)) } }

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> OperationMetadata? {
        guard try reader.nextKind() == .object else { try reader.skipValue(); return nil }
        var metadata = OperationMetadata()
        // The details are made once, from all four.
        var stages: [OperationStage] = [], scriptUri: String?, destinationUris: [String] = [], notifications: [OperationNotification] = []
        try reader.readObject { key, reader throws(JSONReadError) in
            switch key {
            case "@type": metadata.typeURL = try reader.lenientSharedString()
            case "state": metadata.state = try reader.lenientString().map(OperationState.init(apiValue:))
            case "description": metadata.description = try reader.lenientString()
            case "type": metadata.type = try reader.lenientSharedString()
            case "priority": metadata.priority = try reader.lenientInt()
            case "createTime": metadata.createTime = try reader.lenientDate()
            case "updateTime": metadata.updateTime = try reader.lenientDate()
            case "startTime": metadata.startTime = try reader.lenientDate()
            case "endTime": metadata.endTime = try reader.lenientDate()
            case "progress": metadata.progress = try reader.lenientDouble()
            case "stages": stages = try reader.lenientArray(OperationStage.read)
            case "attempt": metadata.attempt = try reader.lenientInt()
            case "scriptUri": scriptUri = try reader.lenientString()
            case "destinationUris": destinationUris = try reader.lenientArray { reader throws(JSONReadError) in try reader.lenientString() }
            case "notifications": notifications = try reader.lenientArray(OperationNotification.read)
            case "batchEecuUsageSeconds": metadata.batchEecuUsageSeconds = try reader.lenientDouble()
            default: try reader.skipValue()
            }
        }
        metadata.details = Details.make(stages: stages, scriptUri: scriptUri, destinationUris: destinationUris, notifications: notifications)
        return metadata
    }

    /// Keys in sorted order (`@` sorts before letters).
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let typeURL { writer.key("@type"); writer.string(typeURL) }
        if let attempt { writer.key("attempt"); writer.number(attempt) }
        if let batchEecuUsageSeconds { writer.key("batchEecuUsageSeconds"); writer.number(batchEecuUsageSeconds) }
        if let createTime { writer.key("createTime"); writer.timestamp(createTime) }
        if let description { writer.key("description"); writer.string(description) }
        writer.array("destinationUris", destinationUris) { uri, writer in writer.string(uri) }
        if let endTime { writer.key("endTime"); writer.timestamp(endTime) }
        writer.array("notifications", notifications)
        if let priority { writer.key("priority"); writer.number(priority) }
        if let progress { writer.key("progress"); writer.number(progress) }
        if let scriptUri { writer.key("scriptUri"); writer.string(scriptUri) }
        writer.array("stages", stages)
        if let startTime { writer.key("startTime"); writer.timestamp(startTime) }
        if let state { writer.key("state"); writer.string(state.apiValue) }
        if let type { writer.key("type"); writer.string(type) }
        if let updateTime { writer.key("updateTime"); writer.timestamp(updateTime) }
        writer.endObject()
    }
}

extension JSONWriter {
    /// A date as an RFC 3339 string with microseconds (``Timestamp/format(_:fractionDigits:)``).
    mutating func timestamp(_ date: Date) {
        unescapedString(maximumCount: Timestamp.longestText) { Timestamp.write(date, to: &$0) }
    }
}
