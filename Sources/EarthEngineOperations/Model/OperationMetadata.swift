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
    public var priority: Int? {
        get { priorityStorage.value }
        set { priorityStorage.value = newValue }
    }
    public var createTime: Date? {
        get { createTimeStorage.value }
        set { createTimeStorage.value = newValue }
    }
    public var updateTime: Date? {
        get { updateTimeStorage.value }
        set { updateTimeStorage.value = newValue }
    }
    public var startTime: Date? {
        get { startTimeStorage.value }
        set { startTimeStorage.value = newValue }
    }
    public var endTime: Date? {
        get { endTimeStorage.value }
        set { endTimeStorage.value = newValue }
    }
    /// 0...1 as the server sent it (not clamped; see ``clampedProgress``).
    public var progress: Double? {
        get { progressStorage.value }
        set { progressStorage.value = newValue }
    }
    public var stages: [OperationStage]
    /// Starts at 1 and grows each time the task is retried.
    public var attempt: Int? {
        get { attemptStorage.value }
        set { attemptStorage.value = newValue }
    }
    public var scriptUri: String?
    public var destinationUris: [String]
    public var notifications: [OperationNotification]
    public var batchEecuUsageSeconds: Double? {
        get { batchEecuUsageSecondsStorage.value }
        set { batchEecuUsageSecondsStorage.value = newValue }
    }

    private var priorityStorage: CompactOptional<Int>
    private var createTimeStorage: CompactOptional<Date>
    private var updateTimeStorage: CompactOptional<Date>
    private var startTimeStorage: CompactOptional<Date>
    private var endTimeStorage: CompactOptional<Date>
    private var progressStorage: CompactOptional<Double>
    private var attemptStorage: CompactOptional<Int>
    private var batchEecuUsageSecondsStorage: CompactOptional<Double>

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
        self.priorityStorage = CompactOptional(priority)
        self.createTimeStorage = CompactOptional(createTime)
        self.updateTimeStorage = CompactOptional(updateTime)
        self.startTimeStorage = CompactOptional(startTime)
        self.endTimeStorage = CompactOptional(endTime)
        self.progressStorage = CompactOptional(progress)
        self.stages = stages
        self.attemptStorage = CompactOptional(attempt)
        self.scriptUri = scriptUri
        self.destinationUris = destinationUris
        self.notifications = notifications
        self.batchEecuUsageSecondsStorage = CompactOptional(batchEecuUsageSeconds)
    }

    /// Progress limited to 0...1, for display.
    public var clampedProgress: Double? { progress.map { min(1, max(0, $0)) } }

    public static func read(from reader: inout JSONReader) throws(JSONReadError) -> OperationMetadata? {
        guard try reader.nextKind() == .object else { try reader.skipValue(); return nil }
        var metadata = OperationMetadata()
        try reader.readObject { key, reader throws(JSONReadError) in
            switch key {
            case "@type": metadata.typeURL = try reader.lenientString().map(Shared.string)
            case "state": metadata.state = try reader.lenientString().map(OperationState.init(apiValue:))
            case "description": metadata.description = try reader.lenientString()
            case "type": metadata.type = try reader.lenientString().map(Shared.string)
            case "priority": metadata.priorityStorage = CompactOptional(try reader.lenientInt())
            case "createTime": metadata.createTimeStorage = CompactOptional(try reader.lenientDate())
            case "updateTime": metadata.updateTimeStorage = CompactOptional(try reader.lenientDate())
            case "startTime": metadata.startTimeStorage = CompactOptional(try reader.lenientDate())
            case "endTime": metadata.endTimeStorage = CompactOptional(try reader.lenientDate())
            case "progress": metadata.progressStorage = CompactOptional(try reader.lenientDouble())
            case "stages": metadata.stages = try reader.lenientArray(OperationStage.read)
            case "attempt": metadata.attemptStorage = CompactOptional(try reader.lenientInt())
            case "scriptUri": metadata.scriptUri = try reader.lenientString()
            case "destinationUris": metadata.destinationUris = try reader.lenientArray { reader throws(JSONReadError) in try reader.lenientString() }
            case "notifications": metadata.notifications = try reader.lenientArray(OperationNotification.read)
            case "batchEecuUsageSeconds": metadata.batchEecuUsageSecondsStorage = CompactOptional(try reader.lenientDouble())
            default: try reader.skipValue()
            }
        }
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
        unescapedString { Timestamp.append(date, to: &$0) }
    }
}
