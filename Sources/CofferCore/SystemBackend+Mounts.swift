import CofferJSON
import CofferLogical

/// `sys/mounts`, `sys/mounts/:path`, `sys/mounts/:path/tune` (`auth/:path` tunes an auth
/// method, as Vault's CLI asks), `sys/remount`,
/// `sys/internal/ui/mounts/:path` (the CLI's KV preflight) and `sys/mounts-all/:path`.
extension SystemBackend {
    func handleMounts(_ request: Request) async throws -> Response? {
        guard let active = core.active else { throw LogicalError.sealed }
        let path = request.path
        let op = request.operation
        let fields = RequestFields(request.data)

        if path == "mounts" || path == "mounts/" {
            guard op == .read || op == .list else { throw LogicalError.unsupportedOperation }
            var data: [String: JSONValue] = [:]
            for mount in active.mounts { data[mount.path] = mount.apiValue }
            return Response(data: data, injectDataAtTopLevel: true)
        }
        if path == "remount" {
            guard op == .update || op == .create else { throw LogicalError.unsupportedOperation }
            guard let from = try fields.string("from"), let to = try fields.string("to") else {
                throw LogicalError.invalidRequest("both \"from\" and \"to\" are required")
            }
            let id = try await core.remount(from: from, to: to)
            return Response(data: ["migration_id": .string(id)], injectDataAtTopLevel: true)
        }
        if let id = Self.suffix(of: path, after: "remount/status/") {
            guard let info = core.migrations.withLock({ $0[id] }) else { return nil }
            return Response(data: ["migration_id": .string(id), "migration_info": info])
        }
        if let target = Self.suffix(of: path, after: "internal/ui/mounts/") ?? Self.suffix(of: path, after: "mounts-all/") {
            return try await preflight(target, request: request, active: active)
        }
        guard var rest = Self.suffix(of: path, after: "mounts/") else { throw LogicalError.unsupportedPath("sys/" + path) }
        if rest.hasSuffix("/tune") {
            rest.removeLast("/tune".count)
            // Mount paths here are router paths, where auth methods live under `auth/`:
            // `vault auth tune userpass` sends `sys/mounts/auth/userpass/tune`.
            if let authPath = Self.suffix(of: rest, after: "auth/") {
                return try await tune(.auth, rawPath: authPath, request: request, active: active)
            }
            return try await tune(.secrets, rawPath: rest, request: request, active: active)
        }
        switch op {
        case .read:
            let mountPath = try Core.normalizeMountPath(rest, checkReserved: false)
            guard let mount = active.mounts.first(where: { $0.path == mountPath }) else {
                throw LogicalError.invalidRequest("no mount entry found at \(mountPath)")
            }
            return Response(data: mount.apiValue.objectValue, injectDataAtTopLevel: true)
        case .update, .create:
            try await enable(.secrets, path: rest, fields: fields)
            return nil
        case .delete:
            try await core.disableMount(path: rest)
            return nil
        default:
            throw LogicalError.unsupportedOperation
        }
    }

    /// `POST sys/mounts/:path` or `sys/auth/:path` with `type`, `description`, `config`,
    /// `options`, `local`.
    func enable(_ kind: MountKind, path: String, fields: RequestFields) async throws {
        guard let type = try fields.string("type"), !type.isEmpty else {
            throw LogicalError.invalidRequest("missing type: the \(kind.noun) type is required")
        }
        let config = RequestFields(try fields.value("config").map {
            guard let o = $0.objectValue else { throw LogicalError.invalidRequest("config must be an object") }
            return o
        } ?? [:])
        try await core.enableMount(
            kind, path: path, type: type, description: try fields.string("description") ?? "",
            local: try fields.bool("local") ?? false, options: try fields.stringMap("options") ?? [:],
            defaultLeaseTTL: try config.duration("default_lease_ttl") ?? 0,
            maxLeaseTTL: try config.duration("max_lease_ttl") ?? 0
        )
    }

    /// `GET|POST sys/mounts/:path/tune` and `sys/auth/:path/tune`.
    func tune(_ kind: MountKind, rawPath: String, request: Request, active: ActiveState) async throws -> Response? {
        let mountPath = try Core.normalizeMountPath(rawPath, kind: kind, checkReserved: false)
        guard let mount = kind.entries(active).first(where: { $0.path == mountPath }) else {
            throw LogicalError.invalidRequest("cannot fetch sysview for path \"\(mountPath)\"")
        }
        let fields = RequestFields(request.data)
        switch request.operation {
        case .read:
            return Response(data: core.tuneValue(mount))
        case .update, .create:
            try await core.tuneMount(
                kind, path: mountPath, description: try fields.string("description"),
                defaultLeaseTTL: try fields.duration("default_lease_ttl"),
                maxLeaseTTL: try fields.duration("max_lease_ttl"), options: try fields.stringMap("options"))
            return nil
        default:
            throw LogicalError.unsupportedOperation
        }
    }

    /// What the vault CLI asks before a `kv` command: the mount serving `target`, if the
    /// caller may see it (any capability other than deny on the path or under the mount).
    private func preflight(_ target: String, request: Request, active: ActiveState) async throws -> Response? {
        guard let (route, _) = active.router.route(target) else {
            throw LogicalError.invalidRequest("no mount entry found at \(target)")
        }
        if let auth = request.auth, !auth.isRoot {
            let acl = try await active.policies.acl(for: auth.policies)
            let visible = acl.capabilities(path: target) != ["deny"] || acl.hasAccess(underMount: route.mount.path)
            guard visible else { throw LogicalError.permissionDenied }
        }
        var data = route.mount.apiValue.objectValue ?? [:]
        data["path"] = .string(route.mount.path)
        return Response(data: data)
    }
}
