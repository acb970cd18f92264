import CofferEngines
import CofferLogical

extension Core {
    /// Builds the routing snapshot from the mount tables. Secrets mounts serve at their
    /// path; auth mounts at `auth/<path>`. Unknown mount types fail activation: a table
    /// written by a newer version must not be half-served.
    func buildRouter(mounts: [MountEntry], authMounts: [MountEntry], tokens: TokenStore) throws -> Router {
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
        case "token": return TokenBackend(tokens: tokens)
        case "kv", "generic":
            guard (mount.options["version"] ?? "1") == "1" else {
                throw CoreError.corrupt("kv version \(mount.options["version"] ?? "") is not supported yet")
            }
            return KVv1Backend()
        default:
            throw CoreError.corrupt("unknown mount type \(mount.type)")
        }
    }
}
