/// The answer of ``ReplicationLog/records(after:limit:)``.
public enum WALRead: Sendable, Hashable {
    /// The records following the asked index, in order, gap-free; empty when the reader is
    /// up to date (wait with ``ReplicationLog/waitForIndex(above:)``).
    case records([WALRecord])
    /// The records following the asked index are no longer retained: the oldest one kept
    /// is `oldestIndex`. A reader this far behind must resynchronise by Merkle sync.
    case truncated(oldestIndex: UInt64)
}
