import CofferBarrier
public import CofferLogical

/// A mounted backend with its storage view.
struct RouteEntry: Sendable {
    let mount: MountEntry
    let backend: any LogicalBackend
    let view: any StorageView
}

/// An immutable routing snapshot: the mount table resolved to backends. Core swaps the
/// whole snapshot when the table changes, so the read path takes no lock while routing.
struct Router: Sendable {
    /// Longest paths first, so the first match is the longest prefix.
    private let entries: [RouteEntry]

    init(entries: [RouteEntry]) {
        self.entries = entries.sorted { $0.mount.path.utf8.count > $1.mount.path.utf8.count }
    }

    var mounts: [MountEntry] { entries.map(\.mount) }

    /// The mount serving `path` (relative to `/v1/`) and the path relative to it.
    /// `secret` matches the mount `secret/` with an empty relative path.
    func route(_ path: String) -> (entry: RouteEntry, relativePath: String)? {
        for entry in entries {
            let mountPath = entry.mount.path
            if path.hasPrefix(mountPath) {
                return (entry, String(path.utf8.dropFirst(mountPath.utf8.count))!)
            }
            if path.utf8.count + 1 == mountPath.utf8.count, mountPath.hasPrefix(path) {
                return (entry, "")
            }
        }
        return nil
    }

    func mount(at path: String) -> MountEntry? {
        entries.first { $0.mount.path == path }?.mount
    }
}
