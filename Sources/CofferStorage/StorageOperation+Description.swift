/// Descriptions name keys and value sizes, never value bytes: batches end up in test
/// output, assertion messages and debug logs, and values can be key material.
extension StorageOperation: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        switch self {
        case .put(let key, let value): "put(\(key.debugDescription), \(value.count) bytes)"
        case .delete(let key): "delete(\(key.debugDescription))"
        case .deletePrefix(let prefix): "deletePrefix(\(prefix.debugDescription))"
        }
    }

    public var debugDescription: String { description }
}

extension StorageBatch: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let origin = origin == .client ? "" : ", origin: replication"
        return "StorageBatch(\(operations.map(\.description).joined(separator: ", "))\(origin))"
    }

    public var debugDescription: String { description }
}
