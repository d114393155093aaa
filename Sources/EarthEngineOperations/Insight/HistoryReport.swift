import Foundation

/// What `eeops report` groups EECU time by.
public enum ReportGrouping: String, CaseIterable, Sendable {
    /// The UTC day (`2026-12-07`) the operation ended, or was last updated, or was created.
    case day
    /// The UTC month (`2026-12`), chosen as for `day`.
    case month
    /// The operation's type (`EXPORT_IMAGE`; "" when it had none).
    case type
    /// The project.
    case project
}

/// Which history `eeops report` covers.
public struct ReportQuery: Sendable {
    public var grouping: ReportGrouping
    /// Only these projects; empty for every project in the history.
    public var projects: [String]
    /// Operations whose time (``ReportGrouping/day``) is at or after this.
    public var since: Date?
    /// Operations whose time is before this.
    public var until: Date?

    public init(grouping: ReportGrouping, projects: [String] = [], since: Date? = nil, until: Date? = nil) {
        self.grouping = grouping
        self.projects = projects
        self.since = since
        self.until = until
    }
}

/// EECU time and operations per group, in the order of the groups' keys.
public struct HistoryReport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var key: String
        public var eecuSeconds: Double
        public var operations: Int

        public init(key: String, eecuSeconds: Double, operations: Int) {
            self.key = key
            self.eecuSeconds = eecuSeconds
            self.operations = operations
        }
    }

    public var grouping: ReportGrouping
    public var rows: [Row]

    public init(grouping: ReportGrouping, rows: [Row]) {
        self.grouping = grouping
        self.rows = rows
    }

    public var totalEECUSeconds: Double { rows.reduce(0) { $0 + $1.eecuSeconds } }
    /// How many distinct operations the report covers (each is in one group).
    public var operations: Int { rows.reduce(0) { $0 + $1.operations } }
}

extension HistoryReport: JSONWritable {
    /// `{"by", "eecuSeconds": {"total"}, "operations", "rows": [{"eecuSeconds", "key", "operations"}]}`.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("by")
        writer.string(grouping.rawValue)
        writer.key("eecuSeconds")
        writer.beginObject()
        writer.key("total")
        writer.number(totalEECUSeconds)
        writer.endObject()
        writer.key("operations")
        writer.number(operations)
        // Written even when empty (`array` leaves an empty one out): scripts rely on every member.
        writer.key("rows")
        writer.beginArray()
        for row in rows {
            writer.beginObject()
            writer.key("eecuSeconds")
            writer.number(row.eecuSeconds)
            writer.key("key")
            writer.string(row.key)
            writer.key("operations")
            writer.number(row.operations)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}
