/// One change inside a ``StorageBatch``.
public enum StorageOperation: Sendable, Hashable {
    /// Set `key` to `value`, creating or replacing it.
    case put(key: String, value: [UInt8])
    /// Remove `key`; removing a missing key is not an error.
    case delete(key: String)
    /// Remove every key that starts with `prefix` (a mount's data when it is disabled,
    /// a whole key space when a secondary wipes itself).
    case deletePrefix(String)
}

/// An atomic group of operations: after ``StorageBackend/commit(_:)`` returns, all of
/// them are durable; if it throws, none of them happened.
///
/// The batch is the unit a ``CommitInterceptor`` sees: the replication log turns it into
/// write-ahead-log records committed in the same storage transaction as the data.
public struct StorageBatch: Sendable, Hashable {
    public var operations: [StorageOperation]
    /// Who wrote the batch; interceptors treat replicated data differently from local
    /// clients' writes (a secondary refuses the latter for replicated keys).
    public var origin: Origin

    public init(_ operations: [StorageOperation] = [], origin: Origin = .client) {
        self.operations = operations
        self.origin = origin
    }

    public var isEmpty: Bool { operations.isEmpty }
}

extension StorageBatch {
    /// Where a batch comes from.
    public enum Origin: Sendable, Hashable {
        /// This cluster's own writers (requests, the expiration manager, Core).
        case client
        /// A replication stream applying another cluster's records.
        case replication
    }
}

/// An ordered key-value store of byte strings.
///
/// Keys are `/`-separated paths compared bytewise (UTF-8). Implementations must be safe to
/// call from many tasks at once. `commit` must not return before its batch is durable:
/// callers acknowledge writes to clients as soon as it returns.
public protocol StorageBackend: Sendable {
    /// A short name for status output: `inmem`, `sqlite`.
    var name: String { get }

    /// The value stored at `key`, or nil.
    func get(_ key: String) async throws -> [UInt8]?

    /// The direct children of `prefix`, in ascending order, like Vault's physical `List`:
    /// a key `prefix + "a"` lists as `"a"`, and any key under `prefix + "b/"` lists once as
    /// `"b/"`. Pagination: only names strictly greater than `after` (when given), at most
    /// `limit` of them (when given and positive). Names compare bytewise, like keys. A key
    /// equal to `prefix` itself lists as the empty name `""`. The result is one consistent
    /// state: a concurrent ``commit(_:)`` is seen whole or not at all.
    func list(prefix: String, after: String?, limit: Int?) async throws -> [String]

    /// Applies every operation of `batch` atomically and durably, in order.
    func commit(_ batch: StorageBatch) async throws
}

extension StorageBackend {
    public func list(prefix: String) async throws -> [String] {
        try await list(prefix: prefix, after: nil, limit: nil)
    }

    public func put(_ key: String, _ value: [UInt8]) async throws {
        try await commit(StorageBatch([.put(key: key, value: value)]))
    }

    public func delete(_ key: String) async throws {
        try await commit(StorageBatch([.delete(key: key)]))
    }
}

/// Errors from a storage backend.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The backend could not be opened (path, permissions, corrupt file).
        public static let unavailable = Code("unavailable")
        /// A read or write failed in the backend.
        public static let io = Code("io")
        /// A key or value breaks a backend limit.
        public static let invalidKey = Code("invalid key")
        /// The backend was closed.
        public static let closed = Code("closed")
        /// The write was refused because this storage is read-only for it (replicated keys
        /// on a performance secondary, which forwards such writes to its primary).
        public static let readOnly = Code("read-only")
    }

    public var code: Code
    /// Says what failed; never contains a stored value.
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "storage \(code): \(message)" }
}
