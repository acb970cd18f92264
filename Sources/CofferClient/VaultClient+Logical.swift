public import CofferJSON

/// Reads, writes, lists and deletes on logical paths, as the Go client's `Logical()` does.
extension VaultClient {
    /// `GET <path>`. Returns nil when nothing is there: a 404 whose body carries neither
    /// `data` nor `warnings`. A 404 with either (a KV v2 deleted version) is returned as a
    /// secret. Other statuses outside 200...399 throw ``VaultAPIError``.
    ///
    /// - Parameter query: request parameters (`vault read path k=v` sends them this way).
    public func read(_ path: String, query: [(String, String)] = []) async throws -> VaultSecret? {
        let response = try await send("GET", path, query: query)
        return try secretOrNotFound(response)
    }

    /// `LIST <path>/`. Same nil rule as ``read(_:query:)``; Vault answers 404 for an empty list.
    public func list(_ path: String) async throws -> VaultSecret? {
        let listPath = path.hasSuffix("/") ? path : path + "/"
        let response = try await send("LIST", listPath)
        return try secretOrNotFound(response)
    }

    /// `PUT <path>` with `data` as the JSON body. Returns nil for 204 (or any empty body);
    /// otherwise the response envelope. Error statuses throw ``VaultAPIError``, whose `body`
    /// keeps a secret the server sent along.
    public func write(_ path: String, data: [String: JSONValue]) async throws -> VaultSecret? {
        let response = try await send("PUT", path, body: .object(data))
        guard response.isSuccess else { throw apiError(response) }
        return try secretOrEmpty(response)
    }

    /// `DELETE <path>`. Returns nil for 204; otherwise the response envelope.
    public func delete(_ path: String, query: [(String, String)] = []) async throws -> VaultSecret? {
        let response = try await send("DELETE", path, query: query)
        guard response.isSuccess else { throw apiError(response) }
        return try secretOrEmpty(response)
    }

    private func secretOrNotFound(_ response: VaultResponse) throws -> VaultSecret? {
        if response.status == 404 {
            if let json = response.json, let secret = VaultSecret(json: json),
                !(secret.data ?? [:]).isEmpty || !secret.warnings.isEmpty
            {
                return secret
            }
            return nil
        }
        guard response.isSuccess else { throw apiError(response) }
        return try secretOrEmpty(response)
    }

    private func secretOrEmpty(_ response: VaultResponse) throws(VaultClientError) -> VaultSecret? {
        if response.json == nil && response.jsonError == nil { return nil }
        let object = try response.requireJSONObject()
        return VaultSecret(json: .object(object))
    }
}
