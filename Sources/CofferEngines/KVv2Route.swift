import CofferLogical

/// Which path group of a KV v2 mount a mount-relative request path names, and the secret
/// path inside it.
enum KVv2Route: Equatable {
    case config
    case data(String)
    case metadata(String)
    case delete(String)
    case undelete(String)
    case destroy(String)
    case subkeys(String)
    /// Anything else: Vault answers 404 with a warning.
    case invalid

    private static let groups: [(prefix: String, make: @Sendable (String) -> KVv2Route)] = [
        ("data/", KVv2Route.data),
        ("metadata/", KVv2Route.metadata),
        ("delete/", KVv2Route.delete),
        ("undelete/", KVv2Route.undelete),
        ("destroy/", KVv2Route.destroy),
        ("subkeys/", KVv2Route.subkeys),
    ]

    /// A list request names a folder, so like Vault's HTTP layer this adds the trailing
    /// slash (`metadata` lists as `metadata/`, `metadata/a` as `metadata/a/`).
    init(path: String, operation: CofferLogical.Operation) {
        var path = path
        if operation == .list, !path.isEmpty, !path.hasSuffix("/") { path += "/" }
        if path == "config" {
            self = .config
            return
        }
        for group in Self.groups where path.hasPrefix(group.prefix) {
            self = group.make(String(path.dropFirst(group.prefix.count)))
            return
        }
        self = .invalid
    }

    /// Whether `path` can name a secret: non-empty, no leading or trailing `/`, no empty
    /// segment. Such paths list back exactly as written.
    static func isSecretPath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.hasSuffix("/") && !path.contains("//")
    }

    /// `path` if it can name a secret; a 400 otherwise (for writes).
    static func secretPath(_ path: String) throws(LogicalError) -> String {
        guard isSecretPath(path) else {
            throw LogicalError.invalidRequest(
                "invalid secret path: it must not be empty, start or end with \"/\", or contain empty segments")
        }
        return path
    }
}
