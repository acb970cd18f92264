public import CofferJSON

/// The token store (`auth/token/*`) and `sys/capabilities*`, as `vault token` and
/// `vault login` use them. Methods that take a token send it in the body, never in a URL.
extension VaultClient {
    /// `POST auth/token/create`, or `auth/token/create/<role>` when `role` is given.
    public func createToken(_ request: VaultTokenCreateRequest, role: String? = nil) async throws -> VaultSecret {
        let path = role.map { "auth/token/create/" + $0 } ?? "auth/token/create"
        return try await tokenSecret("POST", path, body: request.json)
    }

    /// `GET auth/token/lookup-self`: the client's own token.
    public func lookupSelf() async throws -> VaultSecret {
        try await tokenSecret("GET", "auth/token/lookup-self")
    }

    /// `POST auth/token/lookup` with `{"token"}`.
    public func lookupToken(_ token: String) async throws -> VaultSecret {
        try await tokenSecret("POST", "auth/token/lookup", body: ["token": .string(token)])
    }

    /// `POST auth/token/lookup-accessor` with `{"accessor"}`.
    public func lookupAccessor(_ accessor: String) async throws -> VaultSecret {
        try await tokenSecret("POST", "auth/token/lookup-accessor", body: ["accessor": .string(accessor)])
    }

    /// `PUT auth/token/renew-self` with `{"increment": seconds}` (0: the server's default).
    public func renewSelf(increment: Int64 = 0) async throws -> VaultSecret {
        try await tokenSecret("PUT", "auth/token/renew-self", body: ["increment": .int(increment)])
    }

    /// `PUT auth/token/renew` with `{"token", "increment"}`.
    public func renewToken(_ token: String, increment: Int64 = 0) async throws -> VaultSecret {
        try await tokenSecret("PUT", "auth/token/renew", body: ["token": .string(token), "increment": .int(increment)])
    }

    /// `POST auth/token/renew-accessor` with `{"accessor", "increment"}`.
    public func renewAccessor(_ accessor: String, increment: Int64 = 0) async throws -> VaultSecret {
        try await tokenSecret(
            "POST", "auth/token/renew-accessor", body: ["accessor": .string(accessor), "increment": .int(increment)])
    }

    /// `PUT auth/token/revoke-self`: revokes the client's own token and its children.
    public func revokeSelf() async throws {
        _ = try await request("PUT", "auth/token/revoke-self")
    }

    /// `PUT auth/token/revoke` with `{"token"}`: the token and all its children.
    public func revokeToken(_ token: String) async throws {
        _ = try await request("PUT", "auth/token/revoke", body: ["token": .string(token)])
    }

    /// `PUT auth/token/revoke-orphan` with `{"token"}`: the token only; children become orphans.
    public func revokeOrphan(_ token: String) async throws {
        _ = try await request("PUT", "auth/token/revoke-orphan", body: ["token": .string(token)])
    }

    /// `POST auth/token/revoke-accessor` with `{"accessor"}`.
    public func revokeAccessor(_ accessor: String) async throws {
        _ = try await request("POST", "auth/token/revoke-accessor", body: ["accessor": .string(accessor)])
    }

    /// `PUT sys/leases/revoke-prefix/<prefix>`: every token (and lease) created under the
    /// authentication path prefix.
    public func revokePrefix(_ prefix: String) async throws {
        _ = try await request("PUT", "sys/leases/revoke-prefix/" + prefix)
    }

    /// The capabilities a token has on `path`: `POST sys/capabilities-self` with
    /// `{"paths": [path]}` for the client's own token, or `POST sys/capabilities` with
    /// `{"token", "paths"}` for another. Reads `data.<path>`, then `data.capabilities`, then
    /// the injected top-level copies. Nil when the answer holds neither.
    public func capabilities(of path: String, token: String? = nil) async throws -> [String]? {
        var body: [String: JSONValue] = ["paths": JSONValue([path])]
        var endpoint = "sys/capabilities-self"
        if let token {
            body["token"] = .string(token)
            endpoint = "sys/capabilities"
        }
        let response = try await request("POST", endpoint, body: .object(body))
        let object = try response.requireJSONObject()
        let data = object["data"]
        for candidate in [data?[path], data?["capabilities"], object[path], object["capabilities"]] {
            if let list = candidate?.stringArrayValue, !list.isEmpty { return list }
        }
        return nil
    }

    private func tokenSecret(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> VaultSecret {
        let response = try await request(method, path, body: body)
        let object = try response.requireJSONObject()
        guard let secret = VaultSecret(json: .object(object)) else {
            throw VaultClientError(.invalidResponse, "\(method) \(response.url): unexpected response")
        }
        return secret
    }
}
