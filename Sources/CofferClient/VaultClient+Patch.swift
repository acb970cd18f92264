public import CofferJSON

/// HTTP `PATCH` on logical paths (KV v2 `data/` and `metadata/`), as the Go client's
/// `JSONMergePatch` sends it.
extension VaultClient {
    /// The content type Vault requires on `PATCH`; anything else is answered with 415.
    public static let mergePatchContentType = "application/merge-patch+json"

    /// `PATCH <path>` with `data` as a JSON merge patch (RFC 7396: `null` removes a key) and
    /// `Content-Type: application/merge-patch+json`. Returns nil for 204 (or any empty body),
    /// otherwise the response envelope. Error statuses throw ``VaultAPIError``.
    public func patch(_ path: String, data: [String: JSONValue]) async throws -> VaultSecret? {
        let response = try await request(
            "PATCH", path, body: .object(data), headers: [("Content-Type", VaultClient.mergePatchContentType)])
        if response.json == nil && response.jsonError == nil { return nil }
        return VaultSecret(json: .object(try response.requireJSONObject()))
    }
}
