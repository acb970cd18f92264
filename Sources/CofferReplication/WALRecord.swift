public import CofferStorage

/// One entry of this cluster's write-ahead log: the `index`-th replicated change.
///
/// Indexes start at 1 and grow by one per record, in commit order, with no gaps, across
/// restarts. One client operation on a replicated key is one record (a `deletePrefix` is
/// one record too). Values are the stored values as the backend received them: barrier
/// ciphertext, never decrypted here.
public struct WALRecord: Sendable, Hashable {
    public var index: UInt64
    public var operation: StorageOperation

    public init(index: UInt64, operation: StorageOperation) {
        self.index = index
        self.operation = operation
    }
}

extension WALRecord: CustomStringConvertible {
    /// The index and the operation's description, which names keys and sizes, never values.
    public var description: String { "WALRecord(\(index), \(operation))" }
}
