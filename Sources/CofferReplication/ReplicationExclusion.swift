public import CofferStorage

/// The storage prefixes one secondary must not receive (its paths filter, resolved to
/// mount data prefixes by the primary), and how records and reads are withheld.
///
/// A withheld record still travels, as a delete of ``withheldRecordKey`` (a key that
/// never exists), so the secondary's index stays gap-free while the record's key and
/// value never leave the primary.
public struct ReplicationExclusion: Sendable, Hashable {
    public let prefixes: [String]

    /// The key a withheld record deletes instead of its own.
    public static let withheldRecordKey = "core/replication/withheld"

    public init(prefixes: [String]) {
        self.prefixes = prefixes
    }

    public var isEmpty: Bool { prefixes.isEmpty }

    /// True for a key (or a `deletePrefix` prefix) inside an excluded prefix.
    public func excludes(_ key: String) -> Bool {
        prefixes.contains { key.utf8.starts(with: $0.utf8) }
    }

    /// `record`, or its placeholder when it touches an excluded key.
    public func withholding(_ record: WALRecord) -> WALRecord {
        guard !isEmpty else { return record }
        let key: String
        switch record.operation {
        case .put(let k, _), .delete(let k): key = k
        case .deletePrefix(let prefix): key = prefix
        }
        guard excludes(key) else { return record }
        return WALRecord(index: record.index, operation: .delete(key: Self.withheldRecordKey))
    }

    /// A log read with its excluded records withheld.
    public func withholding(_ read: WALRead) -> WALRead {
        guard !isEmpty, case .records(let records) = read else { return read }
        return .records(records.map(withholding))
    }
}
