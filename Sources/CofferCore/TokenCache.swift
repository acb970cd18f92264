import Synchronization

/// The token store's bounded in-memory copy of stored entries, by salted id.
///
/// It holds either nothing for an id (read storage) or the latest entry the store wrote or
/// read; never a stale one. Writers update it after their commit (``store(_:)``,
/// ``remove(_:)``), which bumps an epoch; a reader that fetched from storage inserts its
/// result only if no write happened since it looked (``epoch`` then
/// ``insert(_:ifEpoch:)``), so a slow read cannot put back an entry that was just revoked.
final class TokenCache: Sendable {
    private struct State {
        var entries: [String: TokenEntry] = [:]
        var epoch: UInt64 = 0
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) {
        precondition(limit > 0, "cache limit must be positive")
        self.limit = limit
    }

    func entry(_ id: String) -> TokenEntry? {
        state.withLock { $0.entries[id] }
    }

    /// The write epoch; take it before reading storage for ``insert(_:ifEpoch:)``.
    var epoch: UInt64 { state.withLock { $0.epoch } }

    var count: Int { state.withLock { $0.entries.count } }

    /// Inserts an entry read from storage unless a write happened since `epoch`.
    func insert(_ entry: TokenEntry, ifEpoch epoch: UInt64) {
        state.withLock { state in
            guard state.epoch == epoch else { return }
            Self.makeRoom(&state, limit: limit)
            state.entries[entry.id] = entry
        }
    }

    /// Records an entry that was just committed.
    func store(_ entry: TokenEntry) {
        state.withLock { state in
            state.epoch &+= 1
            if state.entries[entry.id] == nil { Self.makeRoom(&state, limit: limit) }
            state.entries[entry.id] = entry
        }
    }

    /// Records a token that was just created. No epoch bump: nobody could have been
    /// reading an id that did not exist yet (a miss is never cached).
    func insertNew(_ entry: TokenEntry) {
        state.withLock { state in
            Self.makeRoom(&state, limit: limit)
            state.entries[entry.id] = entry
        }
    }

    /// Forgets an entry that was just deleted.
    func remove(_ id: String) {
        state.withLock { state in
            state.epoch &+= 1
            state.entries[id] = nil
        }
    }

    /// Evicts an arbitrary eighth of the entries when full: cheap, and a miss only costs a read.
    private static func makeRoom(_ state: inout State, limit: Int) {
        guard state.entries.count >= limit else { return }
        let victims = state.entries.keys.prefix(max(1, limit / 8))
        for key in Array(victims) { state.entries[key] = nil }
    }
}
