import CofferClient
import CofferJSON

/// `coffer login -method=approle role_id=R [secret_id=S]`: `POST auth/<mount>/login` with
/// `{"role_id", "secret_id"}`. `vault` has no CLI handler for AppRole (its users call
/// `vault write auth/approle/login`); Coffer offers one so that machines log in and store
/// the token in one step. `secret_id=@file` and `secret_id=-` keep the secret ID out of the
/// command line; it is left out for roles with `bind_secret_id=false`.
enum AppRoleLoginMethod: LoginMethod {
    static let type = "approle"
    static let help = """
        Usage: coffer login -method=approle [CONFIG K=V...]

          The AppRole auth method allows machines or applications to authenticate
          with a role ID and, unless the role does not require one, a secret ID.

          Authenticate with a role ID and a secret ID read from a file:

              $ coffer login -method=approle role_id=675a50e7... secret_id=@secret-id.txt

          Authenticate with the secret ID on stdin:

              $ echo "$SECRET_ID" | coffer login -method=approle role_id=675a50e7... secret_id=-

        Configuration:

          role_id=<string>
              The role ID of the AppRole role to log in with.

          secret_id=<string>
              A secret ID issued for the role. Leave it out for roles created with
              bind_secret_id=false.
        """

    static func authenticate(config: [String: String], client: VaultClient, run: CommandRun) async throws -> VaultSecret {
        guard let roleID = config["role_id"]?.trimmingWhitespace(), !roleID.isEmpty else {
            throw LoginError("'role_id' must be specified")
        }
        var body: [String: JSONValue] = ["role_id": .string(roleID)]
        if let secretID = config["secret_id"]?.trimmingWhitespace(), !secretID.isEmpty {
            body["secret_id"] = .string(secretID)
        }
        let mount = (config["mount"] ?? type).sanitizedAPIPath
        guard let answer = try await client.write("auth/\(mount)/login", data: body) else {
            throw LoginError("empty response from credential provider")
        }
        return answer
    }
}
