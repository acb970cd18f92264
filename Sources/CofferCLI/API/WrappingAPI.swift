import CofferClient
import CofferJSON

/// Response wrapping (`sys/wrapping/unwrap`), as `vault unwrap` and `vault login` use it.
enum WrappingAPI {
    /// `PUT sys/wrapping/unwrap`: the original response, or nil when it had no body.
    ///
    /// With `token` nil, or equal to the client's own token, the client's token is the
    /// wrapping token and the body is empty (sending it in both places would spend it on the
    /// first use). A client without a token sends `token` as its token. Otherwise `token`
    /// goes in the body and the client's token authenticates the call.
    ///
    /// A 404 whose body carries `data` or `warnings` is a wrapped 404 and returned as a secret,
    /// as the Go client does; other errors throw ``VaultAPIError``.
    static func unwrap(_ client: VaultClient, token: String?) async throws -> VaultSecret? {
        var caller = client
        var body: JSONValue? = nil
        if let token = token?.trimmingWhitespace(), !token.isEmpty {
            let own = client.configuration.token ?? ""
            if own.isEmpty {
                caller = client.withToken(token)
            } else if own != token {
                body = ["token": .string(token)]
            }
        }
        let response = try await caller.send("PUT", "sys/wrapping/unwrap", body: body)
        if response.status == 404, let secret = try? APIAnswer.secret(response),
            !(secret.data ?? [:]).isEmpty || !secret.warnings.isEmpty
        {
            return secret
        }
        guard response.isSuccess else { throw caller.apiError(response) }
        return try APIAnswer.secret(response)
    }
}
