import CofferJSON

/// The non-logical `sys/` endpoints: seal lifecycle, health, leader, the KV preflight.
extension VaultClient {
    /// `GET sys/seal-status` (unauthenticated).
    public func sealStatus() async throws -> VaultSealStatus {
        let response = try await request("GET", "sys/seal-status")
        return VaultSealStatus(json: .object(try response.requireJSONObject()))
    }

    /// `GET sys/init`: whether the server has been initialised.
    public func initStatus() async throws -> Bool {
        let response = try await request("GET", "sys/init")
        let object = try response.requireJSONObject()
        guard let initialized = object["initialized"]?.boolValue else {
            throw VaultClientError(.invalidResponse, "GET \(response.url): response has no \"initialized\" field")
        }
        return initialized
    }

    /// `PUT sys/init` with `secret_shares` and `secret_threshold`. Only valid once.
    public func initialize(shares: Int, threshold: Int) async throws -> VaultInitResponse {
        let body: JSONValue = ["secret_shares": .int(Int64(shares)), "secret_threshold": .int(Int64(threshold))]
        let response = try await request("PUT", "sys/init", body: body)
        return VaultInitResponse(json: .object(try response.requireJSONObject()))
    }

    /// `PUT sys/unseal` with one key share (hex or base64). Returns the new seal status.
    public func unseal(key: String) async throws -> VaultSealStatus {
        let response = try await request("PUT", "sys/unseal", body: ["key": .string(key)])
        return VaultSealStatus(json: .object(try response.requireJSONObject()))
    }

    /// `PUT sys/unseal` with `reset: true`: forgets the shares entered so far.
    public func unsealReset() async throws -> VaultSealStatus {
        let response = try await request("PUT", "sys/unseal", body: ["reset": true])
        return VaultSealStatus(json: .object(try response.requireJSONObject()))
    }

    /// `PUT sys/seal` (needs a root or `sudo` token).
    public func seal() async throws {
        _ = try await request("PUT", "sys/seal")
    }

    /// `GET sys/health`, asking for status 299 in every non-active state (uninitialised,
    /// sealed, standby, DR secondary, performance standby) so that any state answers with its
    /// JSON body instead of an error, as Go's client does.
    public func health() async throws -> VaultHealthStatus {
        let query = [
            ("uninitcode", "299"), ("sealedcode", "299"), ("standbycode", "299"),
            ("drsecondarycode", "299"), ("performancestandbycode", "299"),
        ]
        let response = try await send("GET", "sys/health", query: query)
        guard response.isSuccess else { throw apiError(response) }
        return VaultHealthStatus(status: response.status, json: .object(try response.requireJSONObject()))
    }

    /// `GET sys/leader`.
    public func leader() async throws -> VaultLeaderStatus {
        let response = try await request("GET", "sys/leader")
        return VaultLeaderStatus(json: .object(try response.requireJSONObject()))
    }

    /// The `vault kv` preflight: `GET sys/internal/ui/mounts/<path>`, the mount serving
    /// `path`. Returns nil on 404 (a server without the endpoint; treat as KV v1, as the
    /// `vault` CLI does). 403 and other errors throw.
    public func mountsPreflight(_ path: String) async throws -> VaultMountInfo? {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        let response = try await send("GET", "sys/internal/ui/mounts/" + trimmed, wrapping: false)
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw apiError(response) }
        let object = try response.requireJSONObject()
        guard let data = object["data"], case .object = data else {
            throw VaultClientError(.invalidResponse, "GET \(response.url): preflight response has no data")
        }
        return VaultMountInfo(json: data)
    }
}

extension VaultMountInfo {
    /// 2 for `options.version == "2"`, else 1, as the `vault kv` commands decide.
    public var kvVersion: Int { version == "2" ? 2 : 1 }
}
