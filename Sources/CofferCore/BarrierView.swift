import CofferBarrier
public import CofferLogical
import CofferStorage

/// A mount's slice of the barrier: every key is prefixed with the mount's storage prefix,
/// so a backend cannot name a key outside it (keys are concatenated, never resolved, so
/// `..` has no meaning here).
struct BarrierView: StorageView {
    let barrier: SecurityBarrier
    let prefix: String

    func get(_ key: String) async throws -> [UInt8]? {
        try await barrier.get(prefix + key)
    }

    func list(prefix sub: String) async throws -> [String] {
        try await barrier.list(prefix: prefix + sub, after: nil, limit: nil)
    }

    func commit(_ operations: [ViewOperation]) async throws {
        guard !operations.isEmpty else { return }
        let batch = StorageBatch(operations.map { op in
            switch op {
            case .put(let key, let value): return .put(key: prefix + key, value: value)
            case .delete(let key): return .delete(key: prefix + key)
            }
        })
        try await barrier.commit(batch)
    }
}
