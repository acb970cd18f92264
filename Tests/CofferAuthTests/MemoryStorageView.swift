import CofferLogical
import Synchronization

/// A ``StorageView`` over a dictionary, for auth-method tests.
///
/// `list` gives direct children as the real views do. With `yielding`, every call first
/// yields to the scheduler, so concurrent requests interleave at each storage step the
/// way they do over a real backend (what lets a missing lock show up as a failure).
final class MemoryStorageView: StorageView {
    private struct State {
        var entries: [String: [UInt8]] = [:]
        var commits: [[ViewOperation]] = []
    }

    private let state = Mutex(State())
    private let yielding: Bool

    init(yielding: Bool = false) {
        self.yielding = yielding
    }

    func get(_ key: String) async throws -> [UInt8]? {
        if yielding { await Task.yield() }
        return state.withLock { $0.entries[key] }
    }

    func list(prefix: String) async throws -> [String] {
        if yielding { await Task.yield() }
        let keys = state.withLock { Array($0.entries.keys) }
        var names = Set<String>()
        for key in keys where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                names.insert(String(rest[...slash]))
            } else {
                names.insert(String(rest))
            }
        }
        return names.sorted()
    }

    func commit(_ operations: [ViewOperation]) async throws {
        if yielding { await Task.yield() }
        state.withLock { state in
            for operation in operations {
                switch operation {
                case .put(let key, let value): state.entries[key] = value
                case .delete(let key): state.entries.removeValue(forKey: key)
                }
            }
            state.commits.append(operations)
        }
    }

    /// Every key currently stored, sorted.
    var keys: [String] { state.withLock { $0.entries.keys.sorted() } }

    /// Every stored byte, keys and values, as one string: for "no secret at rest" checks.
    var dump: String {
        state.withLock { state in
            state.entries.map { $0.key + "=" + String(decoding: $0.value, as: UTF8.self) }.sorted().joined(separator: "\n")
        }
    }

    func raw(_ key: String) -> [UInt8]? { state.withLock { $0.entries[key] } }

    /// Stores raw bytes, bypassing the backend (to plant corrupt or future records).
    func plant(_ key: String, _ text: String) {
        state.withLock { $0.entries[key] = Array(text.utf8) }
    }
}
