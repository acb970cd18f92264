public import CofferReplication
import CofferStorage
import FoundationEssentials

extension Coffer_Cluster_V1_WALRecord {
    /// The wire form of a log record.
    public init(_ record: WALRecord) {
        self.init()
        index = record.index
        switch record.operation {
        case .put(let key, let value):
            op = .put
            self.key = key
            self.value = Data(value)
        case .delete(let key):
            op = .delete
            self.key = key
        case .deletePrefix(let prefix):
            op = .deletePrefix
            self.key = prefix
        }
    }
}

extension WALRecord {
    /// The log record a wire record carries.
    ///
    /// - Throws: ``ClusterError/Code/malformedMessage`` for an unset or unknown operation,
    ///   index 0, an empty key or prefix (a record never wipes the whole key space), or a value on anything but a put: the stream must be
    ///   closed, never applied in part.
    public init(wire: Coffer_Cluster_V1_WALRecord) throws(ClusterError) {
        guard wire.index > 0 else {
            throw ClusterError(.malformedMessage, "a WAL record has index 0")
        }
        guard !wire.key.isEmpty else {
            throw ClusterError(.malformedMessage, "WAL record \(wire.index) has an empty key")
        }
        let operation: StorageOperation
        switch wire.op {
        case .put:
            operation = .put(key: wire.key, value: Array(wire.value))
        case .delete where wire.value.isEmpty:
            operation = .delete(key: wire.key)
        case .deletePrefix where wire.value.isEmpty:
            operation = .deletePrefix(wire.key)
        case .delete, .deletePrefix:
            throw ClusterError(.malformedMessage, "WAL record \(wire.index) carries a value on a delete")
        case .unspecified, .UNRECOGNIZED:
            throw ClusterError(.malformedMessage, "WAL record \(wire.index) has no known operation")
        }
        self.init(index: wire.index, operation: operation)
    }
}
