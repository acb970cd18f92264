import CofferClient
import CofferJSON

/// `coffer login [-method=token] [TOKEN | token=T] [lookup=false]`: logs in with an existing
/// token. Without one it prompts (`Token (will be hidden): `, on standard error, no echo)
/// when standard input is a terminal, else reads its first line. The token is checked with
/// `GET auth/token/lookup-self` and the answer turned into an `auth` block, unless
/// `lookup=false`.
enum TokenLoginMethod: LoginMethod {
    static let type = "token"
    static let prompt = "Token (will be hidden): "
    static let help = """
        Usage: coffer login TOKEN [CONFIG K=V...]

          The token auth method allows logging in directly with a token. This
          can be a token from the "token create" command or API. There are no
          configuration options for this auth method.

          Authenticate using a token:

              $ coffer login 96ddf4bc-d217-f3ba-f9bd-017055595017

          Authenticate but do not lookup information about the token:

              $ coffer login token=96ddf4bc-d217-f3ba-f9bd-017055595017 lookup=false
        """

    static func authenticate(config: [String: String], client: VaultClient, run: CommandRun) async throws -> VaultSecret {
        var lookup = true
        if let text = config["lookup"] {
            guard let parsed = GoFlagParser.parseBool(text) else {
                throw LoginError("Failed to parse \"lookup\" as boolean: strconv.ParseBool: parsing \"\(text)\": invalid syntax")
            }
            lookup = parsed
        }
        let token = try (config["token"] ?? readToken(run)).trimmingWhitespace()
        guard !token.isEmpty else {
            throw LoginError("a token must be passed to auth, please view the help for more information")
        }
        guard lookup else {
            return VaultSecret(json: ["auth": ["client_token": .string(token)]])!
        }
        let answer: VaultSecret
        do {
            // Verifying the token is not the answer the user asked to wrap.
            answer = try await run.withoutWrapping(client) { try await $0.withToken(token).lookupSelf() }
        } catch {
            throw LoginError("error looking up token: \(CommandRun.message(for: error))")
        }
        return authSecret(fromLookup: answer.data ?? [:])
    }

    /// A login-shaped answer built from `lookup-self` data (`id`, `accessor`, `policies`,
    /// `identity_policies`, `meta`, `ttl`, `renewable`), as `vault login` shows it.
    static func authSecret(fromLookup data: [String: JSONValue]) -> VaultSecret {
        let tokenPolicies = data["policies"] ?? .null
        let identityPolicies = data["identity_policies"] ?? .null
        let all = (tokenPolicies.arrayValue ?? []) + (identityPolicies.arrayValue ?? [])
        let auth: JSONValue = [
            "client_token": data["id"] ?? "",
            "accessor": data["accessor"] ?? "",
            "policies": .array(all),
            "token_policies": tokenPolicies,
            "identity_policies": identityPolicies,
            "metadata": data["meta"] ?? .null,
            "lease_duration": data["ttl"] ?? 0,
            "renewable": data["renewable"] ?? false,
            "entity_id": data["entity_id"] ?? "",
            "token_type": data["type"] ?? "",
            "orphan": data["orphan"] ?? false,
        ]
        let envelope: JSONValue = [
            "request_id": "", "lease_id": "", "lease_duration": 0, "renewable": false, "data": nil,
            "warnings": nil, "auth": auth,
        ]
        return VaultSecret(json: envelope)!
    }

    private static func readToken(_ run: CommandRun) throws -> String {
        let input = run.context.stdin
        if input.isTerminal && run.flags.bool("non-interactive") == true {
            throw LoginError("a token must be passed to auth, please view the help for more information")
        }
        do {
            return try CredentialPrompt.read(prompt, run: run)
        } catch {
            throw LoginError(
                "An error occurred attempting to ask for a token. The raw error message is shown below, but usually "
                    + "this is because you attempted to pipe a value into the command or you are executing outside of "
                    + "a terminal (tty). If you want to pipe the value, pass \"-\" as the argument to read from stdin. "
                    + "The raw error was: \(CommandRun.message(for: error))")
        }
    }
}
