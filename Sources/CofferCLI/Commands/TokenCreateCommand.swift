import CofferClient

/// `coffer token create [-policy=P ...] [-ttl=D] [-explicit-max-ttl=D] [-period=D]
/// [-use-limit=N] [-orphan] [-renewable=B] [-display-name=N] [-metadata=k=v ...]
/// [-type=service|batch] [-role=R]`: creates a child of the current token
/// (`POST auth/token/create[/<role>]`) and prints its auth block.
enum TokenCreateCommand: CLICommand {
    static let path = ["token", "create"]
    static let synopsis = "Create a new token"
    static let help = """
        Usage: coffer token create [options]

          Creates a new token that can be used for authentication. This token will be
          created as a child of the currently authenticated token. The generated token
          will inherit all policies and permissions of the currently authenticated
          token unless you explicitly define a subset list policies to assign to the
          token.

          A ttl can also be associated with the token. If a ttl is not associated
          with the token, then it cannot be renewed. If a ttl is associated with
          the token, it will expire after that amount of time unless it is renewed.

          Metadata associated with the token (specified with "-metadata") is written
          to the audit log when the token is used.

          If a role is specified, the role may override parameters specified here.
        """
    static let flagGroups: [FlagGroup] = [
        .http, .output,
        FlagGroup("Command Options", [
            FlagSpec(
                "id", kind: .string,
                usage: "Value for the token. By default, this is an auto-generated string. Specifying this value "
                    + "requires sudo permissions."),
            FlagSpec(
                "display-name", kind: .string,
                usage: "Name to associate with this token. This is a non-sensitive value that can be used to help "
                    + "identify created secrets (e.g. prefixes)."),
            FlagSpec(
                "ttl", kind: .string,
                usage: "Initial TTL to associate with the token. Token renewals may be able to extend beyond this "
                    + "value, depending on the configured maximum TTLs. This is specified as a numeric string with "
                    + "suffix like \"30s\" or \"5m\"."),
            FlagSpec(
                "explicit-max-ttl", kind: .string,
                usage: "Explicit maximum lifetime for the token. Unlike normal TTLs, the maximum TTL is a hard limit "
                    + "and cannot be exceeded. This is specified as a numeric string with suffix like \"30s\" or \"5m\"."),
            FlagSpec(
                "period", kind: .string,
                usage: "If specified, every renewal will use the given period. Periodic tokens do not expire (unless "
                    + "-explicit-max-ttl is also provided). Setting this value requires sudo permissions. This is "
                    + "specified as a numeric string with suffix like \"30s\" or \"5m\"."),
            FlagSpec("renewable", kind: .bool, default: "true", usage: "Allow the token to be renewed up to it's maximum TTL."),
            FlagSpec(
                "orphan", kind: .bool, default: "false",
                usage: "Create the token with no parent. This prevents the token from being revoked when the token "
                    + "which created it expires. Setting this value requires root or sudo permissions."),
            FlagSpec(
                "no-default-policy", kind: .bool, default: "false",
                usage: "Detach the \"default\" policy from the policy set for this token."),
            FlagSpec(
                "use-limit", kind: .int, default: "0",
                usage: "Number of times this token can be used. After the last use, the token is automatically "
                    + "revoked. By default, tokens can be used an unlimited number of times until their expiration."),
            FlagSpec(
                "role", kind: .string,
                usage: "Name of the role to create the token against. Specifying -role may override other arguments. "
                    + "The locally authenticated token must have permission for \"auth/token/create/<role>\"."),
            FlagSpec(
                "type", kind: .string, default: "service",
                usage: "The type of token to create. Can be \"service\" or \"batch\"."),
            FlagSpec(
                "metadata", kind: .string,
                usage: "Arbitrary key=value metadata to associate with the token. This metadata will show in the audit "
                    + "log when the token is used. This can be specified multiple times to add multiple pieces of metadata."),
            FlagSpec(
                "policy", kind: .string,
                usage: "Name of a policy to associate with this token. This can be specified multiple times to attach "
                    + "multiple policies."),
            FlagSpec(
                "entity-alias", kind: .string,
                usage: "Name of the entity alias to associate with during token creation. Only works in combination "
                    + "with -role argument and used entity alias must be listed in allowed_entity_aliases."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let type = run.flags.string("type") ?? "service"
        var request = VaultTokenCreateRequest(
            id: run.flags.string("id"),
            policies: run.flags.list("policy"),
            noParent: run.flags.bool("orphan") ?? false,
            noDefaultPolicy: run.flags.bool("no-default-policy") ?? false,
            displayName: run.flags.string("display-name") ?? "",
            numUses: run.flags.int("use-limit") ?? 0,
            // Batch tokens cannot be renewed.
            renewable: type == "batch" ? false : (run.flags.bool("renewable") ?? true),
            type: type,
            entityAlias: run.flags.string("entity-alias"))
        do {
            request.metadata = try run.flags.keyValues("metadata")
            request.ttl = try DurationFlag("ttl", in: run.flags).apiValue
            request.explicitMaxTTL = try DurationFlag("explicit-max-ttl", in: run.flags).apiValue
            request.period = try DurationFlag("period", in: run.flags).apiValue
        } catch {
            run.error(error.message)
            return 1
        }
        let role = run.flags.string("role").flatMap { $0.isEmpty ? nil : $0 }
        return await run.secretCall("Error creating token", onEmpty: { 0 }) { client in
            try await client.createToken(request, role: role)
        }
    }
}
