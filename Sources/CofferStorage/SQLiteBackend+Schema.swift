import GRDB

extension SQLiteBackend {
    /// The schema version this build writes and understands.
    public static let schemaVersion = 2

    /// Creates the schema in a new file, or checks an existing one; fails closed.
    ///
    /// A file is accepted when it is empty (fresh), or when its `meta` table records
    /// version ``schemaVersion``, or version 1 (upgraded in place: the log table is
    /// created and the log's records move into it, in one transaction). A newer version means a newer Coffer wrote it: opening it
    /// could misread or damage data, so it is refused, as is a database that has tables
    /// but no Coffer `meta` row (some other application's file).
    static func prepareSchema(_ pool: DatabasePool, path: String) throws {
        do {
            try pool.write { db in
                let version = try storedSchemaVersion(db)
                switch version {
                case nil:
                    let tables = try Int.fetchOne(db, sql: """
                        SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                        """) ?? 0
                    guard tables == 0 else {
                        throw StorageError(.unavailable, "\(path) is a SQLite database without a Coffer schema; refusing to use it")
                    }
                    try db.execute(sql: """
                        CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                        CREATE TABLE entries (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
                        """)
                    try createLogTable(db)
                    try db.execute(sql: "INSERT INTO meta (name, value) VALUES ('schema_version', ?)",
                                   arguments: [schemaVersion])
                case 1:
                    guard try db.tableExists("entries") else {
                        throw StorageError(.unavailable, "\(path) records schema version 1 but has no entries table")
                    }
                    try migrateToLogTable(db)
                case let version? where version == schemaVersion:
                    guard try db.tableExists("entries"), try db.tableExists("log") else {
                        throw StorageError(.unavailable, "\(path) records schema version \(version) but lacks the entries or log table")
                    }
                case let version? where version > schemaVersion:
                    throw StorageError(
                        .unavailable,
                        "\(path) has storage schema version \(version), newer than the version \(schemaVersion) this Coffer supports; upgrade Coffer to open it")
                case let version?:
                    throw StorageError(.unavailable, "\(path) has an invalid storage schema version \(version)")
                }
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unavailable, "cannot prepare the SQLite schema at \(path)", cause: error)
        }
    }

    /// Sets `synchronous = FULL` on the writer connection and checks that it took.
    ///
    /// In WAL mode, FULL fsyncs the WAL at every commit, so an acknowledged commit survives
    /// power loss; NORMAL (what GRDB sets when it enables WAL) may lose the last commits.
    /// Only the writer's setting matters: readers never commit.
    /// Version 2: the replication log's records (``SequencedKeys``) in a rowid table.
    private static func createLogTable(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE log (number INTEGER PRIMARY KEY NOT NULL, value BLOB NOT NULL)")
    }

    /// Version 1 → 2, in the schema transaction: creates the log table and moves the
    /// records the log's key space routes there out of `entries`.
    private static func migrateToLogTable(_ db: Database) throws {
        try createLogTable(db)
        let lower = SequencedKeys.prefix
        let upper = SequencedKeys.prefix.prefixUpperBound ?? lower
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM entries WHERE key >= ? AND key < ?", arguments: [lower, upper])
        for row in rows {
            let key: String = row["key"]
            guard let number = SequencedKeys.storedNumber(ofKey: key) else { continue }
            let value: DatabaseValue = row["value"]
            try db.execute(sql: "INSERT INTO log (number, value) VALUES (?, ?)", arguments: [number, value])
            try db.execute(sql: "DELETE FROM entries WHERE key = ?", arguments: [key])
        }
        try db.execute(sql: "UPDATE meta SET value = ? WHERE name = 'schema_version'", arguments: [schemaVersion])
    }

    static func requireFullSync(_ pool: DatabasePool) throws {
        let synchronous = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        guard synchronous == 2 else {
            throw StorageError(.unavailable, "SQLite refused synchronous = FULL; commits would not be durable")
        }
    }

    static func storedSchemaVersion(_ db: Database) throws -> Int? {
        guard try db.tableExists("meta") else { return nil }
        return try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'schema_version'")
    }
}
