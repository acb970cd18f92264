import CofferClient
import CofferJSON

/// `coffer login [-method=TYPE] [-path=P] [-no-store] [-no-print] [-token-only] [AUTH K=V...]`:
/// authenticates with one of ``LoginMethods`` (`token`, `userpass`, `approle`) and stores the
/// token in `~/.vault-token` (mode 0600) for later commands, as `vault`'s default token
/// helper does.
///
/// With `-wrap-ttl` the login answer comes back wrapped. It is unwrapped (and the token
/// stored) unless `-token-only` (prints the wrapping token) or `-no-store` (prints the
/// wrapping details) is given.
enum LoginCommand: CLICommand {
    static let path = ["login"]
    static let synopsis = "Authenticate locally"
    static let listing = CommandListing.common
    static let help = """
        Usage: coffer login [options] [AUTH K=V...]

          Authenticates users or machines to Coffer using the provided arguments. A
          successful authentication results in a token - conceptually similar to
          a session token on a website. By default, this token is cached on the local
          machine for future requests.

          The default auth method is "token". If not supplied via the CLI,
          Coffer will prompt for input. If the argument is "-", the values are read
          from stdin.

          The -method flag allows using other auth methods, such as userpass or
          approle. For these, additional "K=V" pairs may be required. For example, to
          authenticate to the userpass auth method:

              $ coffer login -method=userpass username=my-username

          For more information about the list of configuration parameters available for
          a given auth method, use the "coffer auth help TYPE" command. You can also use
          "coffer auth list" to see the list of enabled auth methods.

          If an auth method is enabled at a non-standard path, the -method flag still
          refers to the canonical type, but the -path flag refers to the enabled path.
          If a userpass auth method was enabled at "userpass-prod", authenticate like
          this:

              $ coffer login -method=userpass -path=userpass-prod username=my-username

          If the authentication is requested with response wrapping (via -wrap-ttl),
          the returned token is automatically unwrapped unless:

            - The -token-only flag is used, in which case this command will output
              the wrapping token.

            - The -no-store flag is used, in which case this command will output the
              details of the wrapping token.
        """
    static let flagGroups: [FlagGroup] = [
        .http, .output,
        FlagGroup("Command Options", [
            FlagSpec(
                "method", kind: .string, default: "token",
                usage: "Type of authentication to use such as \"userpass\" or \"ldap\". Note this corresponds to the "
                    + "TYPE, not the enabled path. Use -path to specify the path where the authentication is enabled."),
            FlagSpec(
                "path", kind: .string,
                usage: "Remote path where the auth method is enabled. This defaults to the TYPE of method (e.g. "
                    + "userpass -> userpass/)."),
            FlagSpec(
                "no-store", kind: .bool, default: "false",
                usage: "Do not persist the token to the token helper (usually the local filesystem) after "
                    + "authentication for use in future requests. The token will only be displayed in the command output."),
            FlagSpec(
                "no-print", kind: .bool, default: "false",
                usage: "Do not display the token. The token will be still be stored to the configured token helper."),
            FlagSpec(
                "token-only", kind: .bool, default: "false",
                usage: "Output only the token with no verification. This flag is a shortcut for \"-field=token "
                    + "-no-store\". Setting those flags to other values will have no affect."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        let tokenOnly = run.flags.bool("token-only") == true
        let noStore = tokenOnly || run.flags.bool("no-store") == true
        let noPrint = run.flags.bool("no-print") == true
        let field = tokenOnly ? "token" : run.flags.string("field") ?? ""
        if noStore && noPrint {
            run.error("-no-store and -no-print cannot be used together")
            return 1
        }
        var methodType = run.flags.string("method")?.sanitizedAPIPath ?? ""
        if methodType.isEmpty { methodType = "token" }
        guard let method = LoginMethods.named(methodType) else {
            run.error(TextWrap.balanced(
                "Unknown auth method: \(methodType). Use \"coffer auth list\" to see the complete list of auth "
                    + "methods. Additionally, some auth methods are only available via the HTTP API."))
            return 1
        }
        var arguments = run.arguments
        if methodType == "token", let first = arguments.first, !first.contains("=") {
            arguments[0] = "token=" + first
        }
        // -non-interactive: `K=-` reads nothing rather than waiting on the terminal.
        let stdin: any CLIInput = run.flags.bool("non-interactive") == true ? BufferedInput() : run.context.stdin
        var config: [String: String]
        do {
            config = try KeyValueArguments(stdin: stdin).parse(arguments).mapValues(GoValueFormatter.format)
        } catch {
            run.error("Error parsing configuration: \(error.message)")
            return 1
        }
        if (config["mount"] ?? "").isEmpty {
            let mount = run.flags.string("path").flatMap { $0.isEmpty ? nil : $0 } ?? methodType
            config["mount"] = mount.hasSuffix("/") ? mount : mount + "/"
        }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made.withToken(nil)
        case .failure(let exit): return exit.code
        }
        let answer: VaultSecret
        do {
            answer = try await method.authenticate(config: config, client: client, run: run)
        } catch {
            run.error("Error authenticating: \(CommandRun.message(for: error))")
            return 2
        }
        let secret: VaultSecret
        do {
            let extracted = try await LoginTokenExtraction.extract(
                answer, unwrap: !tokenOnly && !noStore, client: client, run: run)
            if extracted.wrapped {
                if tokenOnly { return SecretOutput.printField("wrapping_token", of: extracted.secret, run: run) }
                return SecretOutput.print(extracted.secret, run: run)
            }
            secret = extracted.secret
        } catch {
            run.error("Error extracting token: \(CommandRun.message(for: error))")
            return 2
        }
        guard let auth = secret.auth else {
            run.error(TextWrap.balanced(
                "Vault returned a secret, but the secret has no authentication information attached. This should "
                    + "never happen and is likely a bug."))
            return 2
        }
        if !noStore {
            do {
                try TokenFile.store(auth.clientToken, home: run.context.homeDirectory)
            } catch {
                run.error("Error storing token: \(error.message)")
                run.error(TextWrap.balanced(
                    "Authentication was successful, but the token was not persisted. The resulting token is shown "
                        + "below for your records.") + "\n")
                _ = SecretOutput.print(secret, run: run)
                return 2
            }
            if run.context.setting("TOKEN") != nil {
                run.error(TextWrap.balanced(
                    "WARNING! The VAULT_TOKEN environment variable is set! The value of this variable will take "
                        + "precedence; if this is unwanted please unset VAULT_TOKEN or update its value accordingly.")
                    + "\n")
            }
        } else if !tokenOnly {
            run.error(TextWrap.balanced(
                "The token was not stored in token helper. Set the VAULT_TOKEN environment variable or pass the "
                    + "token below with each request to Vault.") + "\n")
        }
        if noPrint { return 0 }
        if !field.isEmpty { return SecretOutput.printField(field, of: secret, run: run) }
        if run.format == .table {
            run.output(TextWrap.balanced(
                "Success! You are now authenticated. The token information displayed below is already stored in "
                    + "the token helper. You do NOT need to run \"coffer login\" again. Future Vault requests will "
                    + "automatically use this token.") + "\n")
        }
        return SecretOutput.print(secret, run: run)
    }
}
