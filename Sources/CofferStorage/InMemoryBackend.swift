import Synchronization

/// A ``StorageBackend`` held in process memory: for `-dev` servers and tests.
///
/// Nothing survives the process. Every call takes one lock for its whole duration, so a
/// batch is applied atomically and a `list` sees one consistent state. Gets are a hash
/// lookup; listing is a binary search plus a walk over the children, jumping over the
/// contents of sub-folders, so large key spaces (100k+ keys) stay cheap. The replication
/// log's keys (``SequencedKeys``) are kept apart, by number, so appending and dropping
/// records costs no key hashing or ordering; listings merge them back in.
///
/// A ``CommitInterceptor`` runs under the same lock: each non-empty batch is one step,
/// `prepare` first (a throw leaves the store untouched), then the batch and the returned
/// operations, then `committed`. Applying cannot fail, so `aborted` is never called.
public final class InMemoryBackend: InterceptableStorage {
    private struct State: Sendable {
        var values: [StorageKey: [UInt8]] = [:]
        var order = SortedKeyList()
        /// The keys of ``SequencedKeys`` (the replication log's records), by number.
        var numbered = NumberedValues()
        var interceptor: (any CommitInterceptor)?
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    public var name: String { "inmem" }

    /// The number of keys stored.
    public var count: Int {
        state.withLock { $0.values.count + $0.numbered.count }
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        if let number = SequencedKeys.storedNumber(ofKey: key) {
            return state.withLock { $0.numbered.get(UInt64(number)) }
        }
        let key = StorageKey(key)
        return state.withLock { $0.values[key] }
    }

    public func list(prefix: String, after: String?, limit: Int?) async throws -> [String] {
        var listing = DirectChildListing(prefix: prefix, after: after, limit: limit)
        try state.withLock { state in
            try listing.walk { lower, inclusive in
                let numbers = SequencedKeys.firstNumber(from: lower, inclusive: inclusive)
                    .map { state.numbered.numbers(from: $0).makeIterator() }
                return (state.order.keys(from: StorageKey(lower), strictly: !inclusive), SequencedKeySource(numbers: numbers))
            }
        }
        return listing.names
    }

    public func setCommitInterceptor(_ interceptor: (any CommitInterceptor)?) {
        state.withLock { $0.interceptor = interceptor }
    }

    public func commit(_ batch: StorageBatch) async throws {
        guard !batch.isEmpty else { return }
        try state.withLock { state in
            // The interceptor only sees the batch, never the store, so asking it first is
            // the same as asking after applying, and a refusal needs no undo.
            let interceptor = state.interceptor
            let extra = try interceptor?.prepare([batch]) ?? []
            for operation in batch.operations {
                Self.apply(operation, to: &state)
            }
            for operation in extra {
                Self.apply(operation, to: &state)
            }
            interceptor?.committed()
        }
    }

    private static func apply(_ operation: StorageOperation, to state: inout State) {
        switch operation {
        case .put(let key, let value):
            if let number = SequencedKeys.storedNumber(ofKey: key) {
                state.numbered.put(UInt64(number), value)
                return
            }
            let key = StorageKey(key)
            if state.values.updateValue(value, forKey: key) == nil {
                state.order.insert(key)
            }
        case .delete(let key):
            if let number = SequencedKeys.storedNumber(ofKey: key) {
                state.numbered.remove(UInt64(number))
                return
            }
            let key = StorageKey(key)
            if state.values.removeValue(forKey: key) != nil {
                state.order.remove(key)
            }
        case .deletePrefix(let prefix):
            switch SequencedKeys.overlap(ofKeysUnder: prefix) {
            case .none: break
            case .all: state.numbered = NumberedValues()
            case .numbers(let range): state.numbered.removeAll(in: range)
            }
            let upper = prefix.prefixUpperBound.map(StorageKey.init)
            let removed = state.order.removeRange(from: StorageKey(prefix), below: upper)
            for key in removed {
                state.values.removeValue(forKey: key)
            }
        }
    }
}
