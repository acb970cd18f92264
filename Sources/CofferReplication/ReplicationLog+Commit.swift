public import CofferStorage

/// The ``CommitInterceptor`` side: turning each storage step into WAL records and Merkle
/// changes, atomically with the step.
extension ReplicationLog {
    /// Decides the step: refuses it (secondary, reserved keys, oversized records), or
    /// returns the WAL puts, truncation deletes and `wal-meta` put to commit with it.
    ///
    /// Classification and hashing run before the lock; the lock covers only index
    /// arithmetic, so concurrent readers wait microseconds.
    public func prepare(_ batches: [StorageBatch]) throws -> [StorageOperation] {
        var merkleChanges: [MerkleChange] = []
        // Per batch: its origin and its operations on replicated keys, in order.
        var replicatedWrites: [(origin: StorageBatch.Origin, operations: [StorageOperation])] = []
        var coversRecords = false
        var coversMeta = false
        for batch in batches {
            var writes: [StorageOperation] = []
            for operation in batch.operations {
                switch operation {
                case .put(let key, let value):
                    try Self.refuseLogKey(key)
                    if tracks(key) {
                        merkleChanges.append(.put(key: key, value: value))
                        writes.append(operation)
                    }
                case .delete(let key):
                    try Self.refuseLogKey(key)
                    if tracks(key) {
                        merkleChanges.append(.delete(key: key))
                        writes.append(operation)
                    }
                case .deletePrefix(let prefix):
                    if prefix.hasBytePrefix(Self.walPrefix), !prefix.utf8.elementsEqual(Self.walPrefix.utf8) {
                        throw Self.logKeyError
                    }
                    if Self.walPrefix.hasBytePrefix(prefix) { coversRecords = true }
                    if Self.metaKey.hasBytePrefix(prefix) { coversMeta = true }
                    // The index holds only replicated keys, so removing the prefix from it
                    // mirrors storage whatever the prefix's own class.
                    merkleChanges.append(.deletePrefix(prefix))
                    if tracks(prefix) { writes.append(operation) }
                }
            }
            replicatedWrites.append((batch.origin, writes))
        }

        return try state.withLock { state in
            state.pending = nil
            var records: [WALRecord] = []
            var next = state.lastIndex
            for (origin, writes) in replicatedWrites where origin == .client && !writes.isEmpty {
                switch state.mode {
                case .disabled:
                    break
                case .secondary:
                    throw StorageError(.readOnly, "cannot write to readonly storage")
                case .primary:
                    for operation in writes {
                        guard WALCodec.fits(operation) else {
                            throw StorageError(.invalidKey, "a replicated write exceeds the WAL record limits (key \(WALCodec.maximumKeyBytes) bytes, value \(WALCodec.maximumValueBytes) bytes)")
                        }
                        next += 1
                        records.append(WALRecord(index: next, operation: operation))
                    }
                }
            }

            var extra: [StorageOperation] = []
            extra.reserveCapacity(records.count + 1)
            for record in records {
                extra.append(.put(key: Self.walKey(record.index), value: WALCodec.encode(record)))
            }
            // Records the batches deleted (a wipe) are gone; this step's own records are
            // written after the batches, so they survive it.
            var oldest = coversRecords ? (records.first?.index ?? next + 1) : state.oldestIndex
            var deletedRecords = coversRecords
            if !records.isEmpty {
                // Keep `retention` records; delete the excess once it reaches a chunk, up
                // to a block boundary (at most `truncationBlock` - 1 more are kept).
                let keepFrom = next >= UInt64(retention) ? next - UInt64(retention) + 1 : 1
                if oldest < keepFrom, keepFrom - oldest >= UInt64(truncationChunk) {
                    let newOldest = keepFrom / truncationBlock * truncationBlock
                    extra += truncation(from: oldest, below: newOldest)
                    oldest = newOldest
                    deletedRecords = true
                }
            }
            let clearsStrays = !state.strays.isEmpty
            for index in state.strays {
                extra.append(.delete(key: Self.walKey(index)))
            }
            if (deletedRecords || coversMeta || clearsStrays), next > 0 {
                extra.append(.put(key: Self.metaKey, value: Self.encodeMeta(lastIndex: next)))
            }
            state.pending = PendingStep(
                records: records, lastIndex: next, oldestIndex: oldest,
                wipedRecords: coversRecords, clearsStrays: clearsStrays, merkleChanges: merkleChanges)
            return extra
        }
    }

    /// Makes the prepared step visible: advances the indexes, extends the in-memory tail,
    /// updates the Merkle index and wakes the readers waiting for these records.
    public func committed() {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard let step = state.pending else { return [] }
            state.pending = nil
            if step.wipedRecords { state.tail.removeAll() }
            state.tail.drop(below: step.oldestIndex)
            state.tail.append(step.records)
            state.lastIndex = step.lastIndex
            state.oldestIndex = step.oldestIndex
            if step.clearsStrays { state.strays = [] }

            for change in step.merkleChanges { state.merkle.apply(change) }
            for id in state.rebuildJournals.keys { state.rebuildJournals[id]?.append(contentsOf: step.merkleChanges) }
            state.lastStepChanges = step.merkleChanges

            guard !step.records.isEmpty else { return [] }
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where waiter.above < step.lastIndex {
                woken.append(waiter.continuation)
                state.waiters.removeValue(forKey: id)
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Deletes of records `from..<below` (`below` a multiple of the block): one by one up
    /// to the first block boundary, then a `deletePrefix` per block.
    func truncation(from: UInt64, below: UInt64) -> [StorageOperation] {
        var operations: [StorageOperation] = []
        var index = from
        while index < below, truncationBlock == 1 || index % truncationBlock != 0 {
            operations.append(.delete(key: Self.walKey(index)))
            index += 1
        }
        let hexDigitsPerBlock = truncationBlock.trailingZeroBitCount / 4
        while index < below {
            // The block's keys share the key of its first record minus the last digits.
            let key = Self.walKey(index)
            operations.append(.deletePrefix(String(key.dropLast(hexDigitsPerBlock))))
            index += truncationBlock
        }
        return operations
    }

    /// Forgets the prepared step: its indexes are handed out again by the next `prepare`.
    public func aborted() {
        state.withLock { $0.pending = nil }
    }

    static let logKeyError = StorageError(.invalidKey, "keys under \(walPrefix) and \(metaKey) are written only by the replication log")

    static func refuseLogKey(_ key: String) throws {
        if isLogKey(key) { throw logKeyError }
    }

    /// `wal-meta`: `[0x01][last index: UInt64 BE]`.
    static func encodeMeta(lastIndex: UInt64) -> [UInt8] {
        var bytes: [UInt8] = [1]
        WALCodec.append(lastIndex, to: &bytes)
        return bytes
    }

    static func decodeMeta(_ bytes: [UInt8]) throws -> UInt64 {
        guard bytes.count == 9 else {
            throw WALError(.corrupt, "\(metaKey) is \(bytes.count) bytes, expected 9")
        }
        guard bytes[0] == 1 else {
            throw WALError(.unsupportedVersion, "\(metaKey) has format version \(bytes[0]); this Coffer reads version 1")
        }
        return WALCodec.readUInt64(bytes, at: 1)
    }
}
