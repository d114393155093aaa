import Foundation

/// `google.earthengine.v1.OperationMetadata`: what Earth Engine reports about a batch task.
/// Every field is optional on the wire; malformed fields decode as absent.
public struct OperationMetadata: Hashable, Sendable, Codable {
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

    private enum CodingKeys: String, CodingKey {
        case typeURL = "@type"
        case state, description, type, priority, createTime, updateTime, startTime, endTime, progress, stages,
             attempt, scriptUri, destinationUris, notifications, batchEecuUsageSeconds
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        typeURL = container.lenientSharedString(.typeURL)
        state = container.lenientString(.state).map(OperationState.init(apiValue:))
        description = container.lenientString(.description)
        type = container.lenientSharedString(.type)
        priorityStorage = CompactOptional(container.lenientInt(.priority))
        createTimeStorage = CompactOptional(container.lenientDate(.createTime))
        updateTimeStorage = CompactOptional(container.lenientDate(.updateTime))
        startTimeStorage = CompactOptional(container.lenientDate(.startTime))
        endTimeStorage = CompactOptional(container.lenientDate(.endTime))
        progressStorage = CompactOptional(container.lenientDouble(.progress))
        stages = container.lenientArray(OperationStage.self, .stages)
        attemptStorage = CompactOptional(container.lenientInt(.attempt))
        scriptUri = container.lenientString(.scriptUri)
        destinationUris = container.lenientArray(String.self, .destinationUris)
        notifications = container.lenientArray(OperationNotification.self, .notifications)
        batchEecuUsageSecondsStorage = CompactOptional(container.lenientDouble(.batchEecuUsageSeconds))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(typeURL, forKey: .typeURL)
        try container.encodeIfPresent(state, forKey: .state)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(priority, forKey: .priority)
        try container.encodeTimestamp(createTime, forKey: .createTime)
        try container.encodeTimestamp(updateTime, forKey: .updateTime)
        try container.encodeTimestamp(startTime, forKey: .startTime)
        try container.encodeTimestamp(endTime, forKey: .endTime)
        try container.encodeIfPresent(progress, forKey: .progress)
        try container.encodeUnlessEmpty(stages, forKey: .stages)
        try container.encodeIfPresent(attempt, forKey: .attempt)
        try container.encodeIfPresent(scriptUri, forKey: .scriptUri)
        try container.encodeUnlessEmpty(destinationUris, forKey: .destinationUris)
        try container.encodeUnlessEmpty(notifications, forKey: .notifications)
        try container.encodeIfPresent(batchEecuUsageSeconds, forKey: .batchEecuUsageSeconds)
    }
}
