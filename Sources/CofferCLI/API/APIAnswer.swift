import CofferClient
import CofferJSON

/// Reading the answers of the endpoints the CLI calls through ``VaultClient/request(_:_:body:query:headers:)``
/// itself (`sys/auth`, `sys/audit`, `sys/leases`, `sys/wrapping`), as the Go client's
/// `ParseSecret` does.
enum APIAnswer {
    /// The response envelope, or nil when the body is empty (a 204). Throws
    /// ``VaultClientError`` for a body that is not a JSON object (never quoting the body).
    static func secret(_ response: VaultResponse) throws(VaultClientError) -> VaultSecret? {
        if response.json == nil && response.jsonError == nil { return nil }
        let object = try response.requireJSONObject()
        return VaultSecret(json: .object(object))
    }

    /// The entries of a listing keyed by path (`sys/auth`, `sys/audit`): `data`, or for a
    /// server that only injects the legacy top-level copy, the top-level members that are
    /// objects holding `type`. Throws `data from server response is empty`, as the Go
    /// client does, when neither is there.
    static func listing(_ secret: VaultSecret) throws(VaultClientError) -> [String: JSONValue] {
        if let data = secret.data { return data.filter { $0.value.objectValue != nil } }
        var entries: [String: JSONValue] = [:]
        if case .object(let members) = secret.raw {
            for (key, value) in members where value["type"] != nil && value.objectValue != nil {
                entries[key] = value
            }
        }
        guard !entries.isEmpty else {
            throw VaultClientError(.invalidResponse, "data from server response is empty")
        }
        return entries
    }
}
