import CofferClient
import CofferJSON

/// `coffer login -method=userpass username=U [password=P]`: `POST auth/<mount>/login/<U>`
/// with `{"password"}`. Without `password=` it prompts (`Password (will be hidden): `, no
/// echo) on a terminal, else reads the first line of standard input.
enum UserpassLoginMethod: LoginMethod {
    static let type = "userpass"
    static let prompt = "Password (will be hidden): "
    static let help = """
        Usage: coffer login -method=userpass [CONFIG K=V...]

          The userpass auth method allows users to authenticate using Coffer's
          internal user database.

          Authenticate as "sally":

              $ coffer login -method=userpass username=sally
              Password (will be hidden):

          Authenticate as "bob":

              $ coffer login -method=userpass username=bob password=password

        Configuration:

          password=<string>
              Password to use for authentication. If not provided, the CLI will prompt
              for this on stdin.

          username=<string>
              Username to use for authentication.
        """

    static func authenticate(config: [String: String], client: VaultClient, run: CommandRun) async throws -> VaultSecret {
        guard let username = config["username"], !username.isEmpty else {
            throw LoginError("'username' must be specified")
        }
        var password = config["password"] ?? ""
        if password.isEmpty {
            if run.flags.bool("non-interactive") == true {
                throw LoginError("'password' must be specified and refusing to pull from stdin")
            }
            password = try CredentialPrompt.read(prompt, run: run)
            guard !password.isEmpty else { throw LoginError("'password' must be specified") }
        }
        let mount = (config["mount"] ?? type).sanitizedAPIPath
        let answer = try await client.write("auth/\(mount)/login/\(username)", data: ["password": .string(password)])
        guard let answer else { throw LoginError("empty response from credential provider") }
        return answer
    }
}
