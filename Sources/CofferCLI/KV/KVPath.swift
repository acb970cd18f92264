import CofferClient

/// Where a `coffer kv` command sends its request, worked out as `vault kv` does it.
///
/// The command first asks the server which mount serves the path (the preflight,
/// `GET sys/internal/ui/mounts/<path>`). A KV v2 mount gets an API prefix inserted after the
/// mount path (`secret/foo` → `secret/data/foo`, `secret/metadata/foo`, ...); a KV v1 mount,
/// or a server without the preflight endpoint (404), uses the path as given.
///
/// Two spellings are accepted: `kv get secret/foo` (mount and secret path in one argument)
/// and `kv get -mount=secret foo`.
struct KVPath: Sendable, Equatable {
    /// The mount path the server reported (`secret/`); "" when it reported none.
    var mountPath: String
    var isV2: Bool
    /// The secret path including its mount, without leading or trailing slashes.
    var partialPath: String

    /// The path for a request. KV v2: `prefix` (`data`, `metadata`, `delete`, `undelete`,
    /// `destroy`) inserted after the mount path; with `skipIfExists`, not when the path
    /// already starts with it (`kv list secret/metadata/`). KV v1: the path itself.
    func apiPath(_ prefix: String, skipIfExists: Bool = false) -> String {
        guard isV2 else { return partialPath }
        return KVPath.insert(prefix, into: partialPath, mountPath: mountPath, skipIfExists: skipIfExists)
    }

    /// Runs the preflight for `argument` (and `-mount` when given). On failure the error is
    /// printed and the exit status returned: 2 for a failed preflight.
    static func resolve(_ argument: String, run: CommandRun, client: VaultClient) async -> Result<KVPath, ExitStatus> {
        let secretPath = argument.sanitizedAPIPath
        let mountFlag = run.flags.string("mount").map(\.sanitizedAPIPath) ?? ""
        let mount: VaultMountInfo?
        do {
            mount = try await client.mountsPreflight(mountFlag.isEmpty ? secretPath : mountFlag)
        } catch {
            run.error(CommandRun.message(for: error))
            return .failure(ExitStatus(2))
        }
        let mountPath = mount?.path ?? ""
        let isV2 = mount?.kvVersion == 2
        guard !mountFlag.isEmpty else {
            return .success(KVPath(mountPath: mountPath, isV2: isV2, partialPath: secretPath))
        }
        // `-mount=secret foo`: the secret path is relative to the mount. When the server did not
        // name the mount (no preflight endpoint), the flag names it.
        let base = mountPath.isEmpty ? mountFlag : mountPath
        return .success(KVPath(mountPath: mountPath, isV2: isV2, partialPath: join(base, secretPath)))
    }

    /// The client (made from the flags) and the resolved path, or the exit status after the
    /// error was printed.
    static func resolve(_ argument: String, run: CommandRun) async -> Result<(VaultClient, KVPath), ExitStatus> {
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return .failure(exit)
        }
        switch await resolve(argument, run: run, client: client) {
        case .success(let path): return .success((client, path))
        case .failure(let exit): return .failure(exit)
        }
    }

    /// The command's first argument resolved as above; with `v1Message`, a KV version 1
    /// mount is refused with that message (exit 1), as vault refuses v2-only commands.
    static func target(_ run: CommandRun, v1Message: String? = nil) async -> Result<(VaultClient, KVPath), ExitStatus> {
        guard let argument = run.arguments.first else {
            run.error("Not enough arguments (expected 1, got 0)")
            return .failure(ExitStatus(1))
        }
        switch await resolve(argument, run: run) {
        case .failure(let exit):
            return .failure(exit)
        case .success(let resolved):
            if let v1Message, !resolved.1.isV2 {
                run.error(v1Message)
                return .failure(ExitStatus(1))
            }
            return .success(resolved)
        }
    }

    /// Inserts `prefix` after the mount path. The mount path may carry namespace segments the
    /// secret path lacks (`ns1/secret/` for `secret/foo`); leading segments are dropped from the
    /// mount path until it is a prefix of the secret path.
    static func insert(_ prefix: String, into path: String, mountPath: String, skipIfExists: Bool) -> String {
        var mount = mountPath
        if path == mount || path == mount.removingSuffix("/") {
            return join(mount, prefix)
        }
        var suffix = path.removingPrefix(mount)
        while suffix == path {
            let parts = mount.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count > 1, !parts[1].isEmpty else { break }
            mount = String(parts[1]).removingSuffix("/")
            suffix = suffix.removingPrefix(mount)
        }
        if skipIfExists && (suffix.hasPrefix(prefix) || suffix.hasPrefix("/" + prefix)) {
            return join(mount, suffix)
        }
        return join(mount, prefix, suffix)
    }

    /// Go's `path.Join`: the non-empty parts joined with `/`, then cleaned (no empty or `.`
    /// segments, `..` removes the segment before it, no trailing slash).
    static func join(_ parts: String...) -> String {
        let joined = parts.filter { !$0.isEmpty }.joined(separator: "/")
        guard !joined.isEmpty else { return "" }
        var segments: [Substring] = []
        for segment in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        let cleaned = segments.joined(separator: "/")
        return joined.hasPrefix("/") ? "/" + cleaned : cleaned
    }
}

extension String {
    /// The string without `suffix` at its end, if it is there (Go's `strings.TrimSuffix`).
    func removingSuffix(_ suffix: String) -> String {
        guard !suffix.isEmpty, hasSuffix(suffix) else { return self }
        return String(dropLast(suffix.count))
    }

    /// The string without `prefix` at its start, if it is there (Go's `strings.TrimPrefix`).
    func removingPrefix(_ prefix: String) -> String {
        guard !prefix.isEmpty, hasPrefix(prefix) else { return self }
        return String(dropFirst(prefix.count))
    }
}
