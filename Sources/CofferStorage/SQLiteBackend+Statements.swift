import Foundation
import GRDB

/// The SQL of ``SQLiteBackend``: every statement is cached per connection.
extension SQLiteBackend {
    static func fetchValue(_ db: Database, key: String) throws -> [UInt8]? {
        let rows: RowCursor
        if let number = SequencedKeys.storedNumber(ofKey: key) {
            let statement = try db.cachedStatement(sql: "SELECT value FROM log WHERE number = ?")
            rows = try Row.fetchCursor(statement, arguments: [number])
        } else {
            let statement = try db.cachedStatement(sql: "SELECT value FROM entries WHERE key = ?")
            rows = try Row.fetchCursor(statement, arguments: [key])
        }
        guard let row = try rows.next() else { return nil }
        // Copy straight out of SQLite's buffer; a zero-length blob reads as nil data.
        return try row.withUnsafeData(atIndex: 0) { data in data.map { [UInt8]($0) } ?? [] }
    }

    static func apply(_ operation: StorageOperation, _ db: Database) throws {
        switch operation {
        case .put(let key, let value):
            if let number = SequencedKeys.storedNumber(ofKey: key) {
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO log (number, value) VALUES (?, coalesce(?, X''))
                    ON CONFLICT (number) DO UPDATE SET value = excluded.value
                    """)
                try statement.execute(arguments: [number, Data(value)])
                return
            }
            // An empty Data binds as NULL (no base address): coalesce makes it an empty blob.
            let statement = try db.cachedStatement(sql: """
                INSERT INTO entries (key, value) VALUES (?, coalesce(?, X''))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """)
            try statement.execute(arguments: [key, Data(value)])
        case .delete(let key):
            if let number = SequencedKeys.storedNumber(ofKey: key) {
                let statement = try db.cachedStatement(sql: "DELETE FROM log WHERE number = ?")
                try statement.execute(arguments: [number])
                return
            }
            let statement = try db.cachedStatement(sql: "DELETE FROM entries WHERE key = ?")
            try statement.execute(arguments: [key])
        case .deletePrefix(let prefix):
            switch SequencedKeys.overlap(ofKeysUnder: prefix) {
            case .none:
                break
            case .all:
                try db.cachedStatement(sql: "DELETE FROM log").execute()
            case .numbers(let range):
                // Stored numbers never exceed Int64.max (larger ones stay in `entries`).
                if range.lowerBound <= UInt64(Int64.max) {
                    let statement = try db.cachedStatement(sql: "DELETE FROM log WHERE number >= ? AND number <= ?")
                    try statement.execute(arguments: [Int64(range.lowerBound), Int64(min(range.upperBound, UInt64(Int64.max)))])
                }
            }
            if let upper = prefix.prefixUpperBound {
                let statement = try db.cachedStatement(sql: "DELETE FROM entries WHERE key >= ? AND key < ?")
                try statement.execute(arguments: [prefix, upper])
            } else {
                // Only the empty prefix has no upper bound in practice: every key.
                let statement = try db.cachedStatement(sql: "DELETE FROM entries WHERE key >= ?")
                try statement.execute(arguments: [prefix])
            }
        }
    }

    /// Feeds `listing` the stored keys from its start, in bytewise order; returns how many
    /// keys it read. Steps a cursor over an index range query of `entries`, one row at a
    /// time, merged with one over the `log` table's numbers (spelled out as keys), and runs
    /// both again from a new lower bound whenever the listing skips a sub-folder: a folder
    /// costs one index seek and one row, however many keys it holds.
    @discardableResult
    static func walk(_ db: Database, _ listing: inout DirectChildListing) throws -> Int {
        let end = listing.end
        return try listing.walk { lower, inclusive in
            let comparison = inclusive ? ">=" : ">"
            let sql = end == nil
                ? "SELECT key FROM entries WHERE key \(comparison) ? ORDER BY key"
                : "SELECT key FROM entries WHERE key \(comparison) ? AND key < ? ORDER BY key"
            let statement = try db.cachedStatement(sql: sql)
            var arguments: StatementArguments = [lower]
            if let end { arguments += [end] }
            let entries = try String.fetchCursor(statement, arguments: arguments)
            var log: FastDatabaseValueCursor<Int64>?
            if let first = SequencedKeys.firstNumber(from: lower, inclusive: inclusive), first <= UInt64(Int64.max) {
                let statement = try db.cachedStatement(sql: "SELECT number FROM log WHERE number >= ? ORDER BY number")
                log = try Int64.fetchCursor(statement, arguments: [Int64(first)])
            }
            return (entries, LogKeys(numbers: log))
        }
    }

    /// The log table's keys, from a cursor over its numbers.
    struct LogKeys: KeySource {
        let numbers: FastDatabaseValueCursor<Int64>?

        func next() throws -> String? {
            try numbers?.next().map { SequencedKeys.key(UInt64($0)) }
        }
    }
}

extension FastDatabaseValueCursor: KeySource where Value == String {}
