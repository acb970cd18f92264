import Foundation
import GRDB

/// The SQL of ``SQLiteBackend``: every statement is cached per connection.
extension SQLiteBackend {
    static func fetchValue(_ db: Database, key: String) throws -> [UInt8]? {
        let statement = try db.cachedStatement(sql: "SELECT value FROM entries WHERE key = ?")
        let rows = try Row.fetchCursor(statement, arguments: [key])
        guard let row = try rows.next() else { return nil }
        // Copy straight out of SQLite's buffer; a zero-length blob reads as nil data.
        return try row.withUnsafeData(atIndex: 0) { data in data.map { [UInt8]($0) } ?? [] }
    }

    static func apply(_ operation: StorageOperation, _ db: Database) throws {
        switch operation {
        case .put(let key, let value):
            // An empty Data binds as NULL (no base address): coalesce makes it an empty blob.
            let statement = try db.cachedStatement(sql: """
                INSERT INTO entries (key, value) VALUES (?, coalesce(?, X''))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """)
            try statement.execute(arguments: [key, Data(value)])
        case .delete(let key):
            let statement = try db.cachedStatement(sql: "DELETE FROM entries WHERE key = ?")
            try statement.execute(arguments: [key])
        case .deletePrefix(let prefix):
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

    /// Runs `listing` over the primary key index and returns how many rows it read.
    ///
    /// Steps a cursor over an index range query, one row at a time, and re-runs the query
    /// from a new lower bound whenever the listing skips a sub-folder: a folder costs one
    /// index seek and one row, however many keys it holds.
    @discardableResult
    static func walk(_ db: Database, _ listing: inout DirectChildListing) throws -> Int {
        var lower = listing.start.key
        var inclusive = listing.start.inclusive
        let end = listing.end
        var rowsRead = 0
        walking: while !listing.isComplete {
            let comparison = inclusive ? ">=" : ">"
            let sql = end == nil
                ? "SELECT key FROM entries WHERE key \(comparison) ? ORDER BY key"
                : "SELECT key FROM entries WHERE key \(comparison) ? AND key < ? ORDER BY key"
            let statement = try db.cachedStatement(sql: sql)
            var arguments: StatementArguments = [lower]
            if let end { arguments += [end] }
            let keys = try String.fetchCursor(statement, arguments: arguments)
            while let key = try keys.next() {
                rowsRead += 1
                switch listing.consume(key) {
                case .next:
                    continue
                case .seek(let target):
                    lower = target
                    inclusive = true
                    continue walking
                case .done:
                    break walking
                }
            }
            break
        }
        return rowsRead
    }
}
