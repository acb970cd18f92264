/// Every command the CLI knows. To add one, write a type conforming to ``CLICommand`` in its
/// own file and list it here; help listings and dispatch follow from this table.
enum CommandRegistry {
    static let commands: [any CLICommand.Type] = [
        StatusCommand.self,
        ReadCommand.self,
        WriteCommand.self,
        ListCommand.self,
        DeleteCommand.self,
        OperatorInitCommand.self,
        OperatorUnsealCommand.self,
        OperatorSealCommand.self,
        OperatorGenerateRootCommand.self,
        OperatorRekeyCommand.self,
        VersionCommand.self,
        LoginCommand.self,
        SecretsEnableCommand.self,
        SecretsDisableCommand.self,
        SecretsListCommand.self,
        SecretsTuneCommand.self,
        SecretsMoveCommand.self,
        KVPutCommand.self,
        KVGetCommand.self,
        KVPatchCommand.self,
        KVDeleteCommand.self,
        KVUndeleteCommand.self,
        KVDestroyCommand.self,
        KVListCommand.self,
        KVMetadataCommand.self,
        KVMetadataGetCommand.self,
        KVMetadataPutCommand.self,
        KVMetadataDeleteCommand.self,
        PolicyWriteCommand.self,
        PolicyReadCommand.self,
        PolicyListCommand.self,
        PolicyDeleteCommand.self,
        PolicyFmtCommand.self,
        TokenCreateCommand.self,
        TokenLookupCommand.self,
        TokenRenewCommand.self,
        TokenRevokeCommand.self,
        TokenCapabilitiesCommand.self,
        AuthEnableCommand.self,
        AuthDisableCommand.self,
        AuthListCommand.self,
        AuthTuneCommand.self,
        AuthHelpCommand.self,
        AuditEnableCommand.self,
        AuditDisableCommand.self,
        AuditListCommand.self,
        LeaseLookupCommand.self,
        LeaseRenewCommand.self,
        LeaseRevokeCommand.self,
        UnwrapCommand.self,
        DemoCommand.self,
    ]

    /// Commands that only group subcommands (`coffer operator ...`): synopsis and help text.
    static let groups: [String: (synopsis: String, help: String)] = [
        "operator": (
            "Perform operator-specific tasks",
            """
            Usage: coffer operator <subcommand> [options] [args]

              This command groups subcommands for operators interacting with Coffer. Most
              users will not need to interact with these commands. Here are a few examples
              of the operator commands:

              Initialize a new Coffer server:

                  $ coffer operator init

              Force a Coffer server to seal:

                  $ coffer operator seal

              Please see the individual subcommand help for detailed usage information.
            """
        ),
        "secrets": (
            "Interact with secrets engines",
            """
            Usage: coffer secrets <subcommand> [options] [args]

              This command groups subcommands for interacting with Coffer's secrets engines.
              Each secret engine behaves differently. Please see the documentation for
              more information.

              List all enabled secrets engines:

                  $ coffer secrets list

              Enable a new secrets engine:

                  $ coffer secrets enable -version=2 kv

              Please see the individual subcommand help for detailed usage information.
            """
        ),
        "kv": (
            "Interact with Coffer's Key-Value storage",
            """
            Usage: coffer kv <subcommand> [options] [args]

              This command has subcommands for interacting with Coffer's key-value
              store. Here are some simple examples, and more detailed examples are
              available in the subcommands or the documentation.

              Create or update the key named "foo" in the "secret" mount with the value
              "bar=baz":

                  $ coffer kv put -mount=secret foo bar=baz

              Read this value back:

                  $ coffer kv get -mount=secret foo

              Get metadata for the key:

                  $ coffer kv metadata get -mount=secret foo

              Get a specific version of the key:

                  $ coffer kv get -mount=secret -version=1 foo

              Please see the individual subcommand help for detailed usage information.
            """
        ),
        "policy": (
            "Interact with policies",
            """
            Usage: coffer policy <subcommand> [options] [args]

              This command groups subcommands for interacting with policies.
              Users can write, read, and list policies in Coffer.

              List all enabled policies:

                  $ coffer policy list

              Create a policy named "my-policy" from contents on local disk:

                  $ coffer policy write my-policy ./my-policy.hcl

              Delete the policy named my-policy:

                  $ coffer policy delete my-policy

              Please see the individual subcommand help for detailed usage information.
            """
        ),
        "token": (
            "Interact with tokens",
            """
            Usage: coffer token <subcommand> [options] [args]

              This command groups subcommands for interacting with tokens. Users can
              create, lookup, renew, and revoke tokens.

              Create a new token:

                  $ coffer token create

              Revoke a token:

                  $ coffer token revoke 96ddf4bc-d217-f3ba-f9bd-017055595017

              Renew a token:

                  $ coffer token renew 96ddf4bc-d217-f3ba-f9bd-017055595017

              Please see the individual subcommand help for detailed usage information.
            """
        ),
        "auth": (
            "Interact with auth methods",
            """
            Usage: coffer auth <subcommand> [options] [args]

              This command groups subcommands for interacting with Coffer's auth methods.
              Users can list, enable, disable, tune, and get help for different auth
              methods.

              To authenticate to Coffer as a user or machine, use the "coffer login"
              command instead. This command is for interacting with the auth methods
              themselves, not authenticating to Coffer.

              List all enabled auth methods:

                  $ coffer auth list

              Enable a new auth method "userpass":

                  $ coffer auth enable userpass

              Get detailed help information about how to authenticate to a particular
              auth method:

                  $ coffer auth help userpass

              Please see the individual subcommand help for detailed usage information.
            """
        ),
        "audit": (
            "Interact with audit devices",
            """
            Usage: coffer audit <subcommand> [options] [args]

              This command groups subcommands for interacting with Coffer's audit devices.
              Users can list, enable, and disable audit devices.

              List all enabled audit devices:

                  $ coffer audit list

              Enable a new audit device "file":

                  $ coffer audit enable file file_path=/var/log/audit.log

              Please see the individual subcommand help for detailed usage information.
            """
        ),
        "lease": (
            "Interact with leases",
            """
            Usage: coffer lease <subcommand> [options] [args]

              This command groups subcommands for interacting with leases. Users can
              lookup, renew, and revoke leases.

              Lookup a lease:

                  $ coffer lease lookup database/creds/readonly/2f6a614c...

              Renew a lease:

                  $ coffer lease renew database/creds/readonly/2f6a614c...

              Revoke a lease:

                  $ coffer lease revoke database/creds/readonly/2f6a614c...

              Please see the individual subcommand help for detailed usage information.
            """
        ),
    ]

    /// Commands the `coffer` executable handles itself (before calling the CLI), listed in
    /// help so that users find them.
    static let external: [(name: String, synopsis: String, listing: CommandListing)] = [
        ("server", "Start a Coffer server", .common),
    ]

    /// The command whose path is the longest prefix of `words`, and how many words it used.
    static func lookup(_ words: [String]) -> (command: any CLICommand.Type, length: Int)? {
        var best: (command: any CLICommand.Type, length: Int)? = nil
        for command in commands {
            let path = command.path
            guard path.count <= words.count, Array(words.prefix(path.count)) == path else { continue }
            if best == nil || path.count > best!.length { best = (command, path.count) }
        }
        return best
    }

    /// Subcommands directly under `prefix`, sorted by name.
    static func subcommands(of prefix: [String]) -> [any CLICommand.Type] {
        commands
            .filter { $0.path.count == prefix.count + 1 && Array($0.path.prefix(prefix.count)) == prefix }
            .sorted { $0.path.last! < $1.path.last! }
    }
}
