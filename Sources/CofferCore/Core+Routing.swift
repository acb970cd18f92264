import CofferAuth
import CofferEngines
import CofferLogical
import Foundation

extension Core {
    /// Builds the routing snapshot from the mount tables. Secrets mounts serve at their
    /// path; auth mounts at `auth/<path>`. Unknown mount types fail activation: a table
    /// written by a newer version must not be half-served.
    ///
    /// A new performance secondary has no replicated tables until its first sync brings
    /// them: it routes `sys/` and `auth/token/` meanwhile (transient entries, never
    /// stored), so status, health-adjacent `sys/` reads and its tokens keep working.
    func buildRouter(mounts: [MountEntry], authMounts: [MountEntry], tokens: TokenStore) throws -> Router {
        var mounts = mounts
        var authMounts = authMounts
        if !mounts.contains(where: { $0.type == "system" }) {
            mounts.append(MountEntry(path: "sys/", type: "system", description: "system endpoints (until the replicated mount table arrives)",
                                     uuid: "transient-system", accessor: "system_transient"))
        }
        if !authMounts.contains(where: { $0.type == "token" }) {
            authMounts.append(MountEntry(path: "token/", type: "token", description: "token based credentials (until the replicated auth table arrives)",
                                         uuid: "transient-token", accessor: "auth_token_transient"))
        }
        var entries: [RouteEntry] = []
        for mount in mounts {
            let view = BarrierView(barrier: barrier, prefix: mount.storagePrefix)
            entries.append(RouteEntry(mount: mount, backend: try backend(for: mount, tokens: tokens), view: view))
        }
        for mount in authMounts {
            var routed = mount
            routed.path = "auth/" + mount.path
            let view = BarrierView(barrier: barrier, prefix: StorageKeys.mountData(uuid: mount.uuid, isAuth: true))
            entries.append(RouteEntry(mount: routed, backend: try backend(for: mount, tokens: tokens), view: view))
        }
        return Router(entries: entries)
    }

    private func backend(for mount: MountEntry, tokens: TokenStore) throws -> any LogicalBackend {
        switch mount.type {
        case "system": return SystemBackend(core: self)
        case "token":
            return TokenBackend(
                tokens: tokens,
                hasSudo: { [weak self] auth, path in self?.cachedSudo(auth, path: path) ?? false },
                policyExists: { [weak self] name in
                    if name == "root" { return true }
                    return try await self?.active?.policies.policy(named: name) != nil
                }
            )
        default:
            let key = "\(mount.uuid)|\(mount.type)|\(mount.options["version"] ?? "")"
            if let engine = engines.withLock({ $0[key] }) { return engine }
            let engine = try makeEngine(for: mount)
            engines.withLock { $0[key] = engine }
            return engine
        }
    }

    private func makeEngine(for mount: MountEntry) throws -> any LogicalBackend {
        switch mount.type {
        case "cubbyhole": return KVv1Backend.cubbyhole
        case "userpass": return UserpassBackend()
        case "approle": return AppRoleBackend(now: clock)
        case "kv", "generic":
            switch mount.options["version"] ?? "1" {
            case "1": return KVv1Backend()
            case "2": return KVv2Backend(now: clock)
            default: throw CoreError.corrupt("kv version \(mount.options["version"] ?? "") is unknown")
            }
        default:
            throw CoreError.corrupt("unknown mount type \(mount.type)")
        }
    }
}
