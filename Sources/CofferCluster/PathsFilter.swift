import CofferCore
import CofferJSON
import CofferReplication

/// A performance secondary's paths filter (`primary/paths-filter/:id`): which mounts'
/// data the primary sends it. `deny` sends everything but the listed mounts; `allow`
/// sends only the listed mounts. Cluster-wide records (mount tables, policies, the
/// keyring) always travel: a filtered mount's entry stays in the secondary's mount table,
/// its data does not.
struct PathsFilter: Sendable, Hashable {
    enum Mode: String, Sendable, Hashable {
        case allow
        case deny
    }

    var mode: Mode
    /// Mount paths with a trailing slash (`secret/`, `auth/userpass/`).
    var paths: [String]

    init(mode: Mode, paths: [String]) {
        self.mode = mode
        self.paths = paths
    }

    init?(json: JSONValue) {
        guard let mode = json["mode"]?.stringValue.flatMap(Mode.init(rawValue:)) else { return nil }
        self.mode = mode
        self.paths = json["paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    var json: JSONValue {
        ["mode": .string(mode.rawValue), "paths": .array(paths.map { .string($0) })]
    }

    /// `secret` → `secret/`; leading slashes dropped.
    static func normalize(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("/") { path = path.dropFirst() }
        return path.hasSuffix("/") ? String(path) : path + "/"
    }

    /// Mounts that never filter: the system and per-cluster ones.
    static let alwaysSent: Set<String> = ["sys/", "cubbyhole/", "identity/", "auth/token/"]

    /// The key predicate for the current mounts: true for keys the secondary must not get.
    func exclusion(over mounts: [MountDataPrefix]) -> ReplicationExclusion {
        let listed = Set(paths)
        let prefixes = mounts.filter { mount in
            guard !Self.alwaysSent.contains(mount.path), !mount.local else { return false }
            return mode == .deny ? listed.contains(mount.path) : !listed.contains(mount.path)
        }.map(\.prefix)
        return ReplicationExclusion(prefixes: prefixes)
    }
}
