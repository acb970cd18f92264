import CofferJSON
import CofferLogical

/// The KV v2 storage layout over a mount's ``StorageView`` (drawn in ``KVv2Backend``):
/// key names, record encoding and decoding. It reads freely; every change goes through
/// ``commit(_:)`` as one batch so a logical write is atomic.
struct KVv2Storage {
    static let configKey = "config"
    static let metadataPrefix = "meta/"
    static let versionPrefix = "ver/"

    let view: any StorageView

    /// `meta/<path>`: listing `meta/<prefix>` gives Vault's direct children.
    static func metadataKey(_ path: String) -> String {
        metadataPrefix + path
    }

    /// `ver/<path>/<n>`. Injective: the version number holds no `/`, so the last segment
    /// is always the number and the rest the path.
    static func versionKey(_ path: String, _ version: Int64) -> String {
        versionPrefix + path + "/" + String(version)
    }

    func config() async throws -> KVv2MountConfig {
        guard let bytes = try await view.get(Self.configKey) else { return KVv2MountConfig() }
        return try KVv2MountConfig(record: bytes, key: Self.configKey)
    }

    func metadata(_ path: String) async throws -> KVv2KeyMetadata? {
        let key = Self.metadataKey(path)
        guard let bytes = try await view.get(key) else { return nil }
        return try KVv2KeyMetadata(record: bytes, key: key)
    }

    /// The data of one version; nil when its record is absent.
    ///
    /// Record: `{"format": 1, "data": {...}}`.
    func versionData(_ path: String, _ version: Int64) async throws -> [String: JSONValue]? {
        let key = Self.versionKey(path, version)
        guard let bytes = try await view.get(key) else { return nil }
        let record = try KVv2Record(bytes: bytes, key: key)
        return try record.object("data")
    }

    /// Direct children of `prefix` (which is empty or ends with `/`) among secret paths.
    func list(_ prefix: String) async throws -> [String] {
        try await view.list(prefix: Self.metadataPrefix + prefix)
    }

    func commit(_ operations: [ViewOperation]) async throws {
        try await view.commit(operations)
    }

    static func putConfig(_ config: KVv2MountConfig) -> ViewOperation {
        .put(key: configKey, value: config.encoded())
    }

    static func putMetadata(_ path: String, _ metadata: KVv2KeyMetadata) -> ViewOperation {
        .put(key: metadataKey(path), value: metadata.encoded())
    }

    static func putVersion(_ path: String, _ version: Int64, data: [String: JSONValue]) -> ViewOperation {
        .put(key: versionKey(path, version), value: KVv2Record.encode(["data": .object(data)]))
    }

    static func deleteVersion(_ path: String, _ version: Int64) -> ViewOperation {
        .delete(key: versionKey(path, version))
    }
}
