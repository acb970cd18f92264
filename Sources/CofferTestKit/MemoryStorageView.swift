public import CofferLogical
import Synchronization

/// A ``StorageView`` over a dictionary, for engine and auth-method tests.
///
/// `list` gives direct children as the real views do. Every call can first yield to the
/// scheduler (`yielding`), so concurrent requests interleave at each storage step the way
/// they do over a real backend; that is what lets a missing lock show up as a test failure.
/// Each commit is recorded, so tests can check that one logical write is one batch.
public final class MemoryStorageView: StorageView {
    private struct State {
        var entries: [String: [UInt8]] = [:]
        public var commits: [[ViewOperation]] = []
    }

    private let state = Mutex(State())
    private let yielding: Bool

    public init(yielding: Bool = false) {
        self.yielding = yielding
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        if yielding { await Task.yield() }
        return state.withLock { $0.entries[key] }
    }

    public func list(prefix: String) async throws -> [String] {
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

    public func commit(_ operations: [ViewOperation]) async throws {
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
    public var keys: [String] { state.withLock { $0.entries.keys.sorted() } }

    /// The batches committed so far, oldest first.
    public var commits: [[ViewOperation]] { state.withLock { $0.commits } }

    /// Every stored byte, keys and values, as one string: for "no secret at rest" checks.
    public var dump: String {
        state.withLock { state in
            state.entries.map { $0.key + "=" + String(decoding: $0.value, as: UTF8.self) }.sorted().joined(separator: "\n")
        }
    }

    /// The stored bytes of `key`, bypassing any caller.
    public func raw(_ key: String) -> [UInt8]? { state.withLock { $0.entries[key] } }

    /// Stores raw bytes, bypassing the backend (to plant corrupt or future records).
    public func plant(_ key: String, _ text: String) {
        state.withLock { $0.entries[key] = Array(text.utf8) }
    }
}
