import EarthEngineOperations
import Foundation
import GRDB

/// The local history of operations: every operation eeops listed or watched, kept after the server stops
/// listing it, in one SQLite database per user (``HistoryLocation``) through GRDB.
///
/// The database is in WAL mode, so that a crash or a power cut never leaves a torn file (at worst the last
/// batches are lost), and readers (`eeops report`) do not wait on a writer. Every batch is one
/// transaction that rewrites only the rows whose state, times, progress, EECU or error changed. Errors are
/// thrown as ``HistoryError``, whose text says what to do; the commands warn once and go on without history.
public final class OperationHistory: Sendable {
    /// The schema's migrations, in order. A database that has migrations this build does not know was written
    /// by a newer eeops and is left alone (``HistoryError/newerSchema(path:)``).
    static let migrations: [(name: String, migrate: @Sendable (Database) throws -> Void)] = [
        ("v1-operations", { db in
            try db.execute(sql: """
                CREATE TABLE operation (
                    name TEXT PRIMARY KEY NOT NULL,
                    project TEXT NOT NULL,
                    type TEXT,
                    description TEXT,
                    state TEXT NOT NULL,
                    createTime REAL,
                    startTime REAL,
                    updateTime REAL,
                    endTime REAL,
                    progress REAL,
                    eecuSeconds REAL,
                    errorCode INTEGER,
                    errorMessage TEXT,
                    recordedAt REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX operation_project_create ON operation(project, createTime);
                """)
        }),
        ("v2-fingerprint", { db in
            try db.execute(sql: "ALTER TABLE operation ADD COLUMN fingerprint INTEGER")
        }),
    ]

    /// The schema version, as `PRAGMA user_version` also says, for tools that look at the file.
    public static var schemaVersion: Int { migrations.count }

    public let path: String
    private let database: DatabaseQueue

    /// Opens (creating it and its folder when missing, readable by the user only) and migrates the history at
    /// `path`.
    public init(path: String) throws(HistoryError) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
            if !FileManager.default.fileExists(atPath: path) {
                // SQLite gives the -wal and -shm files the database file's permissions.
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
        } catch {
            throw .unusable(path: path, reason: error.localizedDescription)
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        // Another eeops writing a batch holds the lock for milliseconds; one stuck longer is not waited for.
        configuration.busyMode = .timeout(1)
        configuration.label = "eeops history"
        // In WAL mode a commit need not wait for the disk: a crash or power cut can lose the last batches written
        // since the last checkpoint, never the database (SQLite's "synchronous = NORMAL"); the server still has
        // what they held.
        // A page cache of 512 KiB (SQLite's default is 2 MiB): a batch touches few pages, and the TUI that keeps
        // the history of 100,000 operations stays within its memory.
        configuration.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -512") }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            for migration in Self.migrations { migrator.registerMigration(migration.name, migrate: migration.migrate) }
            // One read says whether anything is to be done: as a rule, nothing is written on opening.
            let (superseded, completed, version) = try database.read { db in
                (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db), try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
            }
            if superseded { throw HistoryError.newerSchema(path: path) }
            if !completed { try migrator.migrate(database) }
            if version != Self.schemaVersion { try database.write { try $0.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)") } }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw HistoryError(path: path, error)
        }
    }

    /// Writes `records` in one transaction: new operations are added, known ones replaced when anything the
    /// history keeps changed, and the rest left untouched (no page is written for them). Returns how many rows
    /// were added or replaced.
    @discardableResult
    public func record(_ records: [HistoryRecord], at now: Date = Date()) throws(HistoryError) -> Int {
        guard !records.isEmpty else { return 0 }
        do {
            return try database.write { try Self.write(records, at: now, to: $0) }
        } catch {
            throw HistoryError(path: path, error)
        }
    }

    /// Writes `operations` as ``record(_:at:)`` does, on GRDB's writer queue, so that no thread of the caller's
    /// waits on the disk; each operation's record is made as it is written, so that a large batch is never held
    /// twice.
    public func recordInBackground(_ operations: [LongRunningOperation], at now: Date = Date()) async throws(HistoryError) {
        guard !operations.isEmpty else { return }
        do {
            _ = try await database.write { try Self.write(operations.lazy.compactMap { HistoryRecord($0) }, at: now, to: $0) }
        } catch {
            throw HistoryError(path: path, error)
        }
    }

    private static func write(_ records: some Sequence<HistoryRecord>, at now: Date, to db: Database) throws -> Int {
        let statement = try db.cachedStatement(sql: upsert)
        var written = 0
        for record in records {
            try statement.execute(arguments: [
                record.name, record.project, record.type, record.description, record.state,
                record.createTime?.timeIntervalSince1970, record.startTime?.timeIntervalSince1970,
                record.updateTime?.timeIntervalSince1970, record.endTime?.timeIntervalSince1970, record.progress,
                record.eecuSeconds, record.errorCode, record.errorMessage, now.timeIntervalSince1970,
                record.fingerprint.map { Int64(bitPattern: $0) },
            ])
            written += db.changesCount
        }
        return written
    }

    private static let upsert = """
        INSERT INTO operation (name, project, type, description, state, createTime, startTime, updateTime, endTime,
                               progress, eecuSeconds, errorCode, errorMessage, recordedAt, fingerprint)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(name) DO UPDATE SET
            type = excluded.type, description = excluded.description, state = excluded.state,
            createTime = excluded.createTime, startTime = excluded.startTime, updateTime = excluded.updateTime,
            endTime = excluded.endTime, progress = excluded.progress, eecuSeconds = excluded.eecuSeconds,
            errorCode = excluded.errorCode, errorMessage = excluded.errorMessage, recordedAt = excluded.recordedAt,
            fingerprint = excluded.fingerprint
        WHERE state IS NOT excluded.state OR updateTime IS NOT excluded.updateTime OR endTime IS NOT excluded.endTime
            OR progress IS NOT excluded.progress OR eecuSeconds IS NOT excluded.eecuSeconds
            OR errorMessage IS NOT excluded.errorMessage OR description IS NOT excluded.description
            OR fingerprint IS NOT excluded.fingerprint
        """

    /// The project's operations as last recorded, newest first, at most `limit`.
    public func operations(project: String, limit: Int) throws(HistoryError) -> [HistoryRecord] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM operation WHERE project = ? ORDER BY createTime DESC, name LIMIT ?
                    """, arguments: [project, limit]).map(Self.record(from:))
            }
        } catch {
            throw HistoryError(path: path, error)
        }
    }

    /// The fingerprints stored for the project's operations (``HistoryRecord/fingerprint``), by name.
    public func fingerprints(project: String) throws(HistoryError) -> [String: UInt64] {
        do {
            return try database.read { db in
                var fingerprints: [String: UInt64] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT name, fingerprint FROM operation WHERE project = ? AND fingerprint IS NOT NULL",
                                               arguments: [project])
                while let row = try rows.next() {
                    fingerprints[row[0]] = UInt64(bitPattern: row[1] as Int64)
                }
                return fingerprints
            }
        } catch {
            throw HistoryError(path: path, error)
        }
    }

    /// How many operations the history holds, in all projects.
    public func count() throws(HistoryError) -> Int {
        do {
            return try database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM operation") ?? 0 }
        } catch {
            throw HistoryError(path: path, error)
        }
    }

    /// EECU time and operation counts grouped as `query` asks (``HistoryReport``).
    public func report(_ query: ReportQuery) throws(HistoryError) -> HistoryReport {
        // An operation's EECU counts on the day it ended, or was last updated while it ran, or was created.
        let when = "COALESCE(endTime, updateTime, createTime)"
        let key = switch query.grouping {
        case .day: "strftime('%Y-%m-%d', \(when), 'unixepoch')"
        case .month: "strftime('%Y-%m', \(when), 'unixepoch')"
        case .type: "COALESCE(type, '')"
        case .project: "project"
        }
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if !query.projects.isEmpty {
            conditions.append("project IN (\(Array(repeating: "?", count: query.projects.count).joined(separator: ", ")))")
            for project in query.projects { arguments += [project] }
        }
        if let since = query.since {
            conditions.append("\(when) >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let until = query.until {
            conditions.append("\(when) < ?")
            arguments += [until.timeIntervalSince1970]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        do {
            return try database.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT \(key) AS key, TOTAL(eecuSeconds) AS eecu, COUNT(*) AS operations
                    FROM operation \(filter) GROUP BY key ORDER BY key
                    """, arguments: arguments).map { row in
                    HistoryReport.Row(key: row["key"] ?? "", eecuSeconds: row["eecu"] ?? 0, operations: row["operations"] ?? 0)
                }
                return HistoryReport(grouping: query.grouping, rows: rows)
            }
        } catch {
            throw HistoryError(path: path, error)
        }
    }

    private static func record(from row: Row) -> HistoryRecord {
        var record = HistoryRecord(name: row["name"], project: row["project"], state: row["state"])
        record.type = row["type"]
        record.description = row["description"]
        record.createTime = (row["createTime"] as Double?).map(Date.init(timeIntervalSince1970:))
        record.startTime = (row["startTime"] as Double?).map(Date.init(timeIntervalSince1970:))
        record.updateTime = (row["updateTime"] as Double?).map(Date.init(timeIntervalSince1970:))
        record.endTime = (row["endTime"] as Double?).map(Date.init(timeIntervalSince1970:))
        record.progress = row["progress"]
        record.eecuSeconds = row["eecuSeconds"]
        record.errorCode = row["errorCode"]
        record.errorMessage = row["errorMessage"]
        record.fingerprint = (row["fingerprint"] as Int64?).map { UInt64(bitPattern: $0) }
        return record
    }
}

/// Why the history cannot be used; the text names the file and what to do.
public enum HistoryError: Error, CustomStringConvertible, Equatable {
    /// Another process holds the database locked.
    case locked(path: String)
    /// The file is not an SQLite database, or is damaged.
    case corrupt(path: String)
    /// The database was written by a newer eeops.
    case newerSchema(path: String)
    /// Anything else: a folder that cannot be made, a full disk, permissions.
    case unusable(path: String, reason: String)

    init(path: String, _ error: any Error) {
        guard let error = error as? DatabaseError else {
            self = .unusable(path: path, reason: String(describing: error))
            return
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .locked(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: self = .corrupt(path: path)
        default: self = .unusable(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    public var description: String {
        switch self {
        case .locked(let path): "the history \(path) is locked by another process"
        case .corrupt(let path): "the history \(path) is not a database eeops can read (damaged?); move it away to start a new one"
        case .newerSchema(let path): "the history \(path) was written by a newer eeops"
        case .unusable(let path, let reason): "the history \(path) cannot be used: \(reason)"
        }
    }
}
