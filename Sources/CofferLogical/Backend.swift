public import CofferJSON

/// A secrets engine or auth method, mounted at a path.
///
/// Core routes a request to exactly one backend, with the mount-relative path, and hands
/// it the mount's ``StorageView``. A backend keeps no state of its own across requests
/// except caches it can rebuild from its view.
public protocol LogicalBackend: Sendable {
    /// Answers the request. Return nil for "nothing here" (404 on read, 204 on write);
    /// throw a ``LogicalError`` for anything the client should see as an error.
    func handle(_ request: Request, storage: any StorageView) async throws -> Response?

    /// For create-vs-update: whether the target of a write already exists. Return nil
    /// when the backend does not distinguish (then every write is `update`).
    func exists(_ request: Request, storage: any StorageView) async throws -> Bool?

    /// Mount-relative paths served without a client token (an auth method's `login`).
    /// A trailing `*` is a prefix. Core skips token resolution and the ACL for them, and
    /// turns a response's ``AuthInfo`` into a new token.
    var unauthenticatedPaths: [String] { get }
}

extension LogicalBackend {
    public func exists(_ request: Request, storage: any StorageView) async throws -> Bool? { nil }

    public var unauthenticatedPaths: [String] { [] }

    /// Whether `path` (mount-relative) is one of ``unauthenticatedPaths``.
    public func isUnauthenticated(_ path: String) -> Bool {
        unauthenticatedPaths.contains { pattern in
            pattern.hasSuffix("*") ? path.hasPrefix(pattern.dropLast()) : path == pattern
        }
    }
}

/// One change in a ``StorageView/commit(_:)``.
public enum ViewOperation: Sendable, Hashable {
    case put(key: String, value: [UInt8])
    case delete(key: String)
}

/// A mount's private slice of storage. Keys are relative to the mount; a view cannot
/// name a key outside its prefix. Values are encrypted by the barrier below it.
///
/// On a replication secondary a view over replicated data refuses writes with a
/// distinguished error that Core turns into forwarding; backends just let it propagate.
public protocol StorageView: Sendable {
    func get(_ key: String) async throws -> [UInt8]?
    /// Direct children of `prefix` (`"a"`, `"b/"`), sorted.
    func list(prefix: String) async throws -> [String]
    /// Applies all operations atomically and durably.
    func commit(_ operations: [ViewOperation]) async throws
}

extension StorageView {
    public func put(_ key: String, _ value: [UInt8]) async throws {
        try await commit([.put(key: key, value: value)])
    }

    public func delete(_ key: String) async throws {
        try await commit([.delete(key: key)])
    }

    /// Reads and parses a JSON value stored at `key`.
    public func getJSON(_ key: String) async throws -> JSONValue? {
        guard let bytes = try await get(key) else { return nil }
        return try JSONParser.parse(bytes)
    }

    public func putJSON(_ key: String, _ value: JSONValue) async throws {
        try await put(key, JSONWriter.bytes(value))
    }
}

/// What a mount is created with; a factory turns it into a backend.
public struct BackendConfig: Sendable {
    /// `kv`, `cubbyhole`, `system`, `token`, ...
    public var type: String
    /// The mount path with a trailing slash.
    public var path: String
    public var options: [String: String]

    public init(type: String, path: String, options: [String: String] = [:]) {
        self.type = type
        self.path = path
        self.options = options
    }
}
