import CofferClient

/// Response wrapping on the command line: with `-wrap-ttl` (or `VAULT_WRAP_TTL`) every
/// request asks the server to wrap its answer, so any command may get back a `wrap_info`
/// block instead of the data it expected.
extension CommandRun {
    /// When `secret` is a wrapped answer, prints it (the `wrapping_token`, ... table, `-field`
    /// or JSON, as `read` does) and returns the exit status; nil when it is not wrapped and
    /// the command should read its data as usual.
    ///
    /// Commands whose answer is not a secret (`auth list`, `audit list`) call this first, so
    /// that a wrapped answer is shown rather than read as an empty listing.
    func printIfWrapped(_ secret: VaultSecret?) -> Int32? {
        guard let secret, secret.wrapInfo != nil else { return nil }
        if let field = flags.string("field"), !field.isEmpty {
            return SecretOutput.printField(field, of: secret, run: self)
        }
        return SecretOutput.print(secret, run: self)
    }

    /// Runs `body` with a client like `client` that never asks for wrapping: `client` itself
    /// when no wrap TTL is configured, else a fresh client without one, shut down afterwards.
    ///
    /// For the follow-up requests of a command (unwrapping a wrapped login, verifying a
    /// token), which `vault` sends with wrapping turned off.
    func withoutWrapping<Result>(
        _ client: VaultClient, _ body: (VaultClient) async throws -> Result
    ) async throws -> Result {
        guard let ttl = client.configuration.wrapTTL, !ttl.isEmpty else { return try await body(client) }
        var configuration = client.configuration
        configuration.wrapTTL = nil
        let plain = try context.makeClient(configuration)
        let result: Result
        do {
            result = try await body(plain)
        } catch {
            try? await plain.shutdown()
            throw error
        }
        try? await plain.shutdown()
        return result
    }
}
