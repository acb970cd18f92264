import CofferClient
import CofferJSON

/// Cells of the mount tables `auth list -detailed` prints (and `secrets list -detailed`
/// prints alike), as `vault` fills them.
enum MountTable {
    /// A TTL column: the seconds, `system` for 0 (the server default), and nothing for the
    /// `system` and `cubbyhole` mounts, which have no TTLs of their own.
    static func ttl(_ mount: VaultMount, _ seconds: Int64) -> String {
        if mount.type == "system" || mount.type == "cubbyhole" { return "" }
        return seconds != 0 ? String(seconds) : "system"
    }

    /// The Plugin column: the type, or the plugin name of a `plugin` mount.
    static func plugin(_ mount: VaultMount) -> String {
        mount.type == "plugin" ? mount.pluginName : mount.type
    }

    /// `local` or `replicated`.
    static func replication(local: Bool) -> String {
        local ? "local" : "replicated"
    }

    /// The options as Go prints a `map[string]string`: `map[version:2]`, `map[]` for none.
    static func options(_ mount: VaultMount) -> String {
        mount.options.map { GoValueFormatter.format(.object($0)) } ?? "map[]"
    }

    /// A member of the mount's `config` that `VaultMount` does not model (`token_type`), as text.
    static func config(_ mount: VaultMount, _ key: String) -> String {
        guard let value = mount.raw["config"]?[key], value != .null else { return "" }
        return GoValueFormatter.format(value)
    }

    /// Mount paths sorted as Go's `sort.Strings` sorts them (byte order).
    static func sortedPaths<Entry>(_ entries: [String: Entry]) -> [String] {
        entries.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
