import Synchronization

/// A bounded cache of stored values in front of SQLite reads.
///
/// Every read through GRDB's pool hops to a reader queue and back (two thread switches,
/// most of a KV read's cost in the benchmark); a hit here costs one mutex. It is coherent
/// because this process is the database's only writer: the group-commit writer applies
/// each committed batch here before it resumes the batch's callers, so an acknowledged
/// write is read back at once.
///
/// A miss reads SQLite outside the lock and then offers the value; the offer is dropped if
/// any commit landed since the read began (a global generation counter), so a slow reader
/// can never put back a value a commit already replaced. Absent keys are not cached.
/// Values are ciphertext (the barrier sits above), never plaintext.
final class SQLiteReadCache: Sendable {
    private struct State {
        var values: [[UInt8]: [UInt8]] = [:]
        var bytes = 0
        var generation: UInt64 = 0
        /// Keys under these prefixes are never cached (a commit interceptor's own keys).
        var uncachedPrefixes: [[UInt8]] = []

        func isUncached(_ key: [UInt8]) -> Bool {
            uncachedPrefixes.contains { key.starts(with: $0) }
        }

        func isUncached(_ key: String) -> Bool {
            uncachedPrefixes.contains { key.utf8.starts(with: $0) }
        }
    }

    private let state = Mutex(State())
    private let maxBytes: Int

    init(maxBytes: Int = 64 << 20) {
        self.maxBytes = maxBytes
    }

    /// A cached value, or nil with the generation to hand back to ``offer``.
    ///
    /// Keys are compared by their UTF-8 bytes, as SQLite compares them (Swift `String`
    /// equality would merge canonically equivalent keys that storage keeps apart).
    func lookup(_ key: String) -> (value: [UInt8]?, generation: UInt64) {
        let bytes = Array(key.utf8)
        return state.withLock { ($0.values[bytes], $0.generation) }
    }

    /// Keeps keys under `prefixes` out of the cache from now on (and drops those it holds).
    ///
    /// The operations a commit interceptor adds under these prefixes are then skipped by
    /// ``apply(_:forgetting:)`` instead of being looked up one by one. Bumps the
    /// generation, so a read that began before cannot offer such a key afterwards.
    func setUncachedPrefixes(_ prefixes: [String]) {
        let prefixes = prefixes.map { Array($0.utf8) }
        state.withLock { s in
            s.generation &+= 1
            s.uncachedPrefixes = prefixes
            guard !prefixes.isEmpty else { return }
            for key in s.values.keys where s.isUncached(key) {
                if let old = s.values.removeValue(forKey: key) { s.bytes -= key.count + old.count }
            }
        }
    }

    /// Caches a value read from SQLite, unless a commit happened since `generation`.
    func offer(_ key: String, _ value: [UInt8], readAt generation: UInt64) {
        let key = Array(key.utf8)
        let cost = key.count + value.count
        guard cost <= maxBytes / 64 else { return }
        state.withLock { s in
            guard s.generation == generation, !s.isUncached(key) else { return }
            if s.bytes + cost > maxBytes {
                s.values.removeAll(keepingCapacity: true)
                s.bytes = 0
            }
            if let old = s.values.updateValue(value, forKey: key) { s.bytes -= key.count + old.count }
            s.bytes += cost
        }
    }

    /// Applies committed operations, in order. Call after the transaction is durable and
    /// before its callers are resumed.
    ///
    /// `forgetting` are the operations a commit interceptor added (replication log
    /// records): every key they touch is dropped rather than cached, so they stay coherent
    /// without filling the cache with values that are rarely read back. Dropping is safe
    /// in any order relative to the batches, which is why they come as one list. Those
    /// under an uncached prefix are skipped outright: the cache cannot hold their keys.
    func apply(_ batches: [StorageBatch], forgetting extra: [StorageOperation] = []) {
        state.withLock { s in
            s.generation &+= 1
            for batch in batches {
                for operation in batch.operations {
                    apply(operation, caching: true, &s)
                }
            }
            for operation in extra {
                switch operation {
                case .put(let key, _), .delete(let key), .deletePrefix(let key):
                    if s.isUncached(key) { continue }
                }
                apply(operation, caching: false, &s)
            }
        }
    }

    private func apply(_ operation: StorageOperation, caching: Bool, _ s: inout State) {
        switch operation {
        case .put(let text, let value):
            let key = Array(text.utf8)
            if let old = s.values.removeValue(forKey: key) { s.bytes -= key.count + old.count }
            if caching, value.count + key.count <= maxBytes / 64, s.bytes + key.count + value.count <= maxBytes, !s.isUncached(key) {
                s.values[key] = value
                s.bytes += key.count + value.count
            }
        case .delete(let text):
            let key = Array(text.utf8)
            if let old = s.values.removeValue(forKey: key) { s.bytes -= key.count + old.count }
        case .deletePrefix(let prefix):
            let prefixBytes = Array(prefix.utf8)
            for key in s.values.keys where key.starts(with: prefixBytes) {
                if let old = s.values.removeValue(forKey: key) { s.bytes -= key.count + old.count }
            }
        }
    }

    /// Forgets the keys a batch touched (used when a write failed or its outcome is unknown).
    func invalidate(_ batches: [StorageBatch]) {
        state.withLock { s in
            s.generation &+= 1
            for batch in batches {
                for operation in batch.operations {
                    switch operation {
                    case .put(let text, _), .delete(let text):
                        let key = Array(text.utf8)
                        if let old = s.values.removeValue(forKey: key) { s.bytes -= key.count + old.count }
                    case .deletePrefix:
                        s.values.removeAll(keepingCapacity: true)
                        s.bytes = 0
                    }
                }
            }
        }
    }
}
