import CofferJSON
import CofferLogical

/// `sys/leases/*` and the legacy `sys/renew`, `sys/revoke`, `sys/revoke-prefix`,
/// `sys/revoke-force` (vault-core-api.md §11). `request.path` is relative to `sys/`.
///
/// | path | operation | answer |
/// | --- | --- | --- |
/// | `leases/lookup` | write `lease_id` | `{id, issue_time, expire_time, last_renewal, renewable, ttl}`; 400 `invalid lease` |
/// | `leases/lookup/[:prefix]` | list (sudo) | `{keys}`; 404 when empty |
/// | `leases/renew[/:id]`, `renew[/:id]` | write `lease_id`, `increment` | envelope `lease_id`, `renewable`, `lease_duration` |
/// | `leases/revoke[/:id]`, `revoke[/:id]` | write `lease_id`, `sync` (default true) | 204 |
/// | `leases/revoke-prefix/:prefix`, `revoke-prefix/:prefix` | write `sync` (sudo) | 204 |
/// | `leases/revoke-force/:prefix`, `revoke-force/:prefix` | write (sudo) | 204 |
/// | `leases/tidy` | write | 202 with the tidy report |
///
/// A `lease_id` in the body wins over one in the path.
extension SystemBackend {
    /// First path segments this handler serves; the dispatch sends them here.
    static let leasePathGroups: Set<String> = ["leases", "renew", "revoke", "revoke-prefix", "revoke-force"]

    func handleLeases(_ request: Request, expiration: ExpirationManager) async throws -> Response? {
        let path = request.path
        let operation = request.operation
        let fields = RequestFields(request.data)
        let isWrite = operation == .update || operation == .create

        if path == "leases/lookup" && isWrite {
            let id = try Self.leaseID(fields, pathValue: "")
            guard let record = try await expiration.lookup(id: id) else {
                throw LogicalError.invalidRequest("invalid lease")
            }
            return Response(data: expiration.lookupData(record))
        }
        if let prefix = Self.leaseRoute(path, ["leases/lookup"]) {
            guard operation == .list else { throw LogicalError.unsupportedOperation }
            let directory = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
            let keys = try await expiration.list(prefix: directory)
            guard !keys.isEmpty else { return nil }
            return Response(data: ["keys": .array(keys.map { .string($0) })])
        }
        if let suffix = Self.leaseRoute(path, ["leases/renew", "renew"]) {
            guard isWrite else { throw LogicalError.unsupportedOperation }
            let id = try Self.leaseID(fields, pathValue: suffix)
            let renewal = try await expiration.renew(id: id, increment: try fields.duration("increment") ?? 0)
            return Response(
                warnings: renewal.warnings,
                secret: SecretInfo(leaseID: renewal.record.id, ttlSeconds: renewal.ttl, renewable: renewal.record.renewable)
            )
        }
        if let suffix = Self.leaseRoute(path, ["leases/revoke", "revoke"]) {
            guard isWrite else { throw LogicalError.unsupportedOperation }
            let id = try Self.leaseID(fields, pathValue: suffix)
            if try fields.bool("sync") ?? true {
                try await expiration.revoke(id: id)
            } else {
                try await expiration.revokeLater(id: id)
            }
            return nil
        }
        if let prefix = Self.leaseRoute(path, ["leases/revoke-prefix", "revoke-prefix"]), !prefix.isEmpty {
            guard isWrite else { throw LogicalError.unsupportedOperation }
            try await expiration.revokePrefix(prefix, force: false, sync: try fields.bool("sync") ?? true)
            return nil
        }
        if let prefix = Self.leaseRoute(path, ["leases/revoke-force", "revoke-force"]), !prefix.isEmpty {
            guard isWrite else { throw LogicalError.unsupportedOperation }
            core.logger.warning("expiration: forced revocation requested", metadata: ["prefix": "\(prefix)"])
            try await expiration.revokePrefix(prefix, force: true, sync: true)
            return nil
        }
        if path == "leases/tidy" {
            guard isWrite else { throw LogicalError.unsupportedOperation }
            guard let report = try await expiration.tidy() else {
                throw LogicalError.invalidRequest("tidy operation already in progress")
            }
            return Response(
                data: report.apiValue, warnings: ["Tidy operation completed."], statusCode: 202
            )
        }
        throw LogicalError.unsupportedPath("sys/" + path)
    }

    /// The rest of `path` after one of `bases` ("" for the base itself, which may carry a
    /// trailing slash), or nil when `path` is under none of them.
    static func leaseRoute(_ path: String, _ bases: [String]) -> String? {
        for base in bases {
            if path == base { return "" }
            if let rest = suffix(of: path, after: base + "/") { return rest }
        }
        return nil
    }

    /// `lease_id` from the body, else the id carried in the path.
    static func leaseID(_ fields: RequestFields, pathValue: String) throws -> String {
        let id = try fields.string("lease_id") ?? ""
        let chosen = id.isEmpty ? pathValue : id
        guard !chosen.isEmpty else { throw LogicalError.invalidRequest("missing lease ID") }
        return chosen
    }
}
