import Synchronization

/// A ``StorageBackend`` held in process memory: for `-dev` servers and tests.
///
/// Nothing survives the process. Every call takes one lock for its whole duration, so a
/// batch is applied atomically and a `list` sees one consistent state. Gets are a hash
/// lookup; listing is a binary search plus a walk over the children, jumping over the
/// contents of sub-folders, so large key spaces (100k+ keys) stay cheap.
///
/// A ``CommitInterceptor`` runs under the same lock: each non-empty batch is one step,
/// `prepare` first (a throw leaves the store untouched), then the batch and the returned
/// operations, then `committed`. Applying cannot fail, so `aborted` is never called.
public final class InMemoryBackend: InterceptableStorage {
    private struct State: Sendable {
        var values: [StorageKey: [UInt8]] = [:]
        var order = SortedKeyList()
        var interceptor: (any CommitInterceptor)?
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    public var name: String { "inmem" }

    /// The number of keys stored.
    public var count: Int {
        state.withLock { $0.values.count }
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        let key = StorageKey(key)
        return state.withLock { $0.values[key] }
    }

    public func list(prefix: String, after: String?, limit: Int?) async throws -> [String] {
        var listing = DirectChildListing(prefix: prefix, after: after, limit: limit)
        let end = listing.end.map(StorageKey.init)
        state.withLock { state in
            var position = state.order.position(of: StorageKey(listing.start.key), strictly: !listing.start.inclusive)
            while let current = position {
                var seekTarget: String?
                state.order.forEach(from: current) { key in
                    if let end, !(key < end) { return false }
                    switch listing.consume(key.string) {
                    case .next:
                        return true
                    case .seek(let target):
                        seekTarget = target
                        return false
                    case .done:
                        return false
                    }
                }
                guard let seekTarget else { break }
                position = state.order.position(of: StorageKey(seekTarget), strictly: false)
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
            let key = StorageKey(key)
            if state.values.updateValue(value, forKey: key) == nil {
                state.order.insert(key)
            }
        case .delete(let key):
            let key = StorageKey(key)
            if state.values.removeValue(forKey: key) != nil {
                state.order.remove(key)
            }
        case .deletePrefix(let prefix):
            let upper = prefix.prefixUpperBound.map(StorageKey.init)
            let removed = state.order.removeRange(from: StorageKey(prefix), below: upper)
            for key in removed {
                state.values.removeValue(forKey: key)
            }
        }
    }
}
