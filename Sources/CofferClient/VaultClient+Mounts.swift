public import CofferJSON

/// Secrets engine management: `sys/mounts`, tuning and `sys/remount`, as `vault secrets` uses it.
///
/// Paths are given without a trailing slash (`kv`, not `kv/`); a trailing slash is dropped.
extension VaultClient {
    /// `GET sys/mounts`: the enabled secrets engines keyed by path with its trailing slash
    /// (`secret/`). Reads `data` and, for servers that only inject the legacy top-level
    /// copy, the top level.
    public func mounts() async throws -> [String: VaultMount] {
        let response = try await request("GET", "sys/mounts")
        let object = try response.requireJSONObject()
        let listing: [String: JSONValue]
        if case .object(let data)? = object["data"], !data.isEmpty {
            listing = data
        } else {
            listing = object
        }
        var mounts: [String: VaultMount] = [:]
        for (path, entry) in listing {
            guard case .object(let members) = entry, members["type"] != nil else { continue }
            mounts[path] = VaultMount(json: entry)
        }
        return mounts
    }

    /// `POST sys/mounts/<path>`: enables a secrets engine. The server answers 204.
    public func enableMount(at path: String, _ input: VaultMountInput) async throws {
        _ = try await request("POST", "sys/mounts/" + VaultClient.mountPath(path), body: input.json)
    }

    /// `DELETE sys/mounts/<path>`: disables the engine; succeeds when nothing is mounted there.
    public func disableMount(at path: String) async throws {
        _ = try await request("DELETE", "sys/mounts/" + VaultClient.mountPath(path))
    }

    /// `POST sys/mounts/<path>/tune` with the settings to change (`default_lease_ttl`,
    /// `max_lease_ttl`, `description`, `options`, ...). Settings left out stay as they are.
    public func tuneMount(at path: String, _ settings: [String: JSONValue]) async throws {
        _ = try await request("POST", "sys/mounts/" + VaultClient.mountPath(path) + "/tune", body: .object(settings))
    }

    /// `POST sys/remount` with `{"from", "to"}`. Returns the migration ID a Vault 1.10+ server
    /// hands back (poll it with ``remountStatus(_:)``), or nil when the server moved the mount
    /// at once and answered without one (204).
    public func startRemount(from source: String, to destination: String) async throws -> String? {
        let body: JSONValue = ["from": .string(source), "to": .string(destination)]
        let response = try await request("POST", "sys/remount", body: body)
        guard response.json != nil || response.jsonError != nil else { return nil }
        let object = try response.requireJSONObject()
        let id = object["data"]?["migration_id"]?.stringValue ?? object["migration_id"]?.stringValue
        guard let id, !id.isEmpty else { return nil }
        return id
    }

    /// `GET sys/remount/status/<id>`.
    public func remountStatus(_ migrationID: String) async throws -> VaultRemountStatus {
        let response = try await request("GET", "sys/remount/status/" + migrationID)
        let object = try response.requireJSONObject()
        if case .object? = object["data"] { return VaultRemountStatus(json: object["data"]!) }
        return VaultRemountStatus(json: .object(object))
    }

    static func mountPath(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
