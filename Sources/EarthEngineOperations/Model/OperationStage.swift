/// Progress of one discrete stage of an operation's most recent attempt.
public struct OperationStage: Hashable, Sendable, Codable {
    public var displayName: String?
    public var description: String?
    public var completeWorkUnits: Int? {
        get { completeWorkUnitsStorage.value }
        set { completeWorkUnitsStorage.value = newValue }
    }
    public var totalWorkUnits: Int? {
        get { totalWorkUnitsStorage.value }
        set { totalWorkUnitsStorage.value = newValue }
    }
    private var completeWorkUnitsStorage: CompactOptional<Int>
    private var totalWorkUnitsStorage: CompactOptional<Int>

    public init(displayName: String?, description: String? = nil, completeWorkUnits: Int? = nil, totalWorkUnits: Int? = nil) {
        self.displayName = displayName
        self.description = description
        completeWorkUnitsStorage = CompactOptional(completeWorkUnits)
        totalWorkUnitsStorage = CompactOptional(totalWorkUnits)
    }

    private enum CodingKeys: String, CodingKey { case displayName, description, completeWorkUnits, totalWorkUnits }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayName = container.lenientSharedString(.displayName)
        description = container.lenientSharedString(.description)
        completeWorkUnitsStorage = CompactOptional(container.lenientInt(.completeWorkUnits))
        totalWorkUnitsStorage = CompactOptional(container.lenientInt(.totalWorkUnits))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(displayName, forKey: .displayName)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(completeWorkUnits, forKey: .completeWorkUnits)
        try container.encodeIfPresent(totalWorkUnits, forKey: .totalWorkUnits)
    }
}

/// A notification attached to an operation (e.g. a warning about the export).
public struct OperationNotification: Hashable, Sendable, Codable {
    /// SEVERITY_UNSPECIFIED, WARNING or SEVERE (other values kept as they are).
    public var severity: String?
    public var topic: String?
    public var detail: String?

    public init(severity: String?, topic: String?, detail: String?) {
        self.severity = severity
        self.topic = topic
        self.detail = detail
    }

    private enum CodingKeys: String, CodingKey { case severity, topic, detail }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        severity = container.lenientSharedString(.severity)
        topic = container.lenientSharedString(.topic)
        detail = container.lenientSharedString(.detail)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(severity, forKey: .severity)
        try container.encodeIfPresent(topic, forKey: .topic)
        try container.encodeIfPresent(detail, forKey: .detail)
    }
}
