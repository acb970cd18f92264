public import CofferJSON
public import CofferLogical

/// The key/value secrets engine, version 1: one unversioned JSON object per path.
///
/// Storage: the object's JSON bytes at the request path, relative to the mount. A `ttl`
/// member, when present, becomes the response's `lease_duration` (Vault's behaviour);
/// the engine issues no lease ids.
///
/// Cubbyhole is the same engine without lease information (``cubbyhole``): Core hands it
/// a view scoped to the calling token, so one token never names another's keys, and the
/// token store deletes that slice when the token is revoked.
public struct KVv1Backend: LogicalBackend {
    /// Whether reads carry lease information (`lease_duration`); cubbyhole's do not.
    let reportsLease: Bool

    public init() {
        self.reportsLease = true
    }

    private init(reportsLease: Bool) {
        self.reportsLease = reportsLease
    }

    /// Per-token private storage (`cubbyhole/`).
    public static let cubbyhole = KVv1Backend(reportsLease: false)

    public func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        let key = request.path
        switch request.operation {
        case .read:
            guard !key.isEmpty else { throw LogicalError.unsupportedOperation }
            guard let value = try await storage.getJSON(key) else { return nil }
            guard case .object(let data) = value else { throw LogicalError.internalError }
            guard reportsLease else { return Response(data: data) }
            return Response(data: data, secret: SecretInfo(leaseID: "", ttlSeconds: ttl(of: data) ?? 0, renewable: false))
        case .list:
            let prefix = key.isEmpty || key.hasSuffix("/") ? key : key + "/"
            let keys = try await storage.list(prefix: prefix)
            guard !keys.isEmpty else { return nil }
            return Response(data: ["keys": .array(keys.map { .string($0) })])
        case .create, .update:
            guard !key.isEmpty, !key.hasSuffix("/") else {
                throw LogicalError.invalidRequest("a secret's path cannot be empty or end with a slash")
            }
            guard !request.data.isEmpty else { throw LogicalError.invalidRequest("missing data fields") }
            if let raw = request.data["ttl"], ttl(of: request.data) == nil {
                _ = raw
                throw LogicalError.invalidRequest("invalid ttl: must be a number of seconds or a duration such as \"30m\"")
            }
            try await storage.putJSON(key, .object(request.data))
            return nil
        case .delete:
            guard !key.isEmpty else { throw LogicalError.unsupportedOperation }
            try await storage.delete(key)
            return nil
        case .patch:
            throw LogicalError.unsupportedOperation
        }
    }

    public func exists(_ request: Request, storage: any StorageView) async throws -> Bool? {
        guard !request.path.isEmpty else { return false }
        return try await storage.get(request.path) != nil
    }

    /// The `ttl` member in seconds, when present and valid.
    private func ttl(of data: [String: JSONValue]) -> Int64? {
        guard let raw = data["ttl"] else { return nil }
        switch raw {
        case .string(let s): return VaultDuration.parseSeconds(s)
        default: return raw.intValue.flatMap { $0 >= 0 ? $0 : nil }
        }
    }
}
