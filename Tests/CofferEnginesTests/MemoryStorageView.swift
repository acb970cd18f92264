import CofferLogical
import Synchronization

/// A ``StorageView`` over a dictionary, for engine tests.
///
/// `list` gives direct children as the real views do. Every call can first yield to the
/// scheduler (`yielding`), so concurrent requests interleave at each storage step the way
/// they do over a real backend; that is what lets a missing lock show up as a test failure.
/// Each commit is recorded, so tests can check that one logical write is one batch.
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

    /// The batches committed so far, oldest first.
    var commits: [[ViewOperation]] { state.withLock { $0.commits } }

    /// Stores raw bytes, bypassing the engine (to plant corrupt or future records).
    func plant(_ key: String, _ text: String) {
        state.withLock { $0.entries[key] = Array(text.utf8) }
    }
}
