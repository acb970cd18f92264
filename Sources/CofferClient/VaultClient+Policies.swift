/// ACL policies under `sys/policies/acl`, as `vault policy` uses them.
extension VaultClient {
    /// `LIST sys/policies/acl`: the policy names (`root` included), in the server's order.
    public func policyNames() async throws -> [String] {
        let response = try await request("LIST", "sys/policies/acl")
        let object = try response.requireJSONObject()
        guard let keys = (object["data"]?["keys"] ?? object["keys"])?.stringArrayValue else {
            throw VaultClientError(.invalidResponse, "LIST \(response.url): response has no \"keys\" list")
        }
        return keys
    }

    /// `GET sys/policies/acl/<name>`: the policy text exactly as stored, or nil when there is
    /// no such policy (404).
    public func policy(named name: String) async throws -> String? {
        let response = try await send("GET", "sys/policies/acl/" + name)
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw apiError(response) }
        let object = try response.requireJSONObject()
        guard let rules = (object["data"]?["policy"] ?? object["policy"])?.stringValue else {
            throw VaultClientError(.invalidResponse, "GET \(response.url): response has no \"policy\" text")
        }
        return rules
    }

    /// `PUT sys/policies/acl/<name>` with `{"policy": rules}` (HCL or JSON text).
    public func writePolicy(named name: String, rules: String) async throws {
        _ = try await request("PUT", "sys/policies/acl/" + name, body: ["policy": .string(rules)])
    }

    /// `DELETE sys/policies/acl/<name>`; succeeds when there is no such policy.
    public func deletePolicy(named name: String) async throws {
        _ = try await request("DELETE", "sys/policies/acl/" + name)
    }
}
