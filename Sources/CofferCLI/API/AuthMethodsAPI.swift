import CofferClient
import CofferJSON

/// Auth method management (`sys/auth`), as `vault auth` calls it. Paths are given with or
/// without slashes; they are sent without.
enum AuthMethodsAPI {
    /// `GET sys/auth`: the envelope, which is a wrapped answer under `-wrap-ttl`. Read the
    /// methods with ``methods(in:)``.
    static func list(_ client: VaultClient) async throws -> VaultSecret {
        let response = try await client.request("GET", "sys/auth")
        guard let secret = try APIAnswer.secret(response) else {
            throw VaultClientError(.invalidResponse, "data from server response is empty")
        }
        return secret
    }

    /// The enabled methods of a `GET sys/auth` answer, keyed by path with its trailing slash.
    static func methods(in secret: VaultSecret) throws(VaultClientError) -> [String: VaultMount] {
        try APIAnswer.listing(secret).mapValues { VaultMount(json: $0) }
    }

    /// `POST sys/auth/<path>` with the Go client's `EnableAuthOptions` body. Answers 204.
    static func enable(_ client: VaultClient, at path: String, body: JSONValue) async throws {
        _ = try await client.request("POST", "sys/auth/" + path.sanitizedAPIPath, body: body)
    }

    /// `DELETE sys/auth/<path>`; succeeds when nothing is enabled there.
    static func disable(_ client: VaultClient, at path: String) async throws {
        _ = try await client.request("DELETE", "sys/auth/" + path.sanitizedAPIPath)
    }

    /// `POST sys/auth/<path>/tune` with the settings to change.
    ///
    /// `vault auth tune` posts to `sys/mounts/auth/<path>/tune`, an alias Vault's server
    /// keeps; `sys/auth/<path>/tune` is the documented endpoint and works on both.
    static func tune(_ client: VaultClient, at path: String, settings: [String: JSONValue]) async throws {
        _ = try await client.request("POST", "sys/auth/" + path.sanitizedAPIPath + "/tune", body: .object(settings))
    }
}
