import CofferClient

/// `coffer token renew [-increment=D] [-accessor] [TOKEN]`: extends a token's TTL
/// (`auth/token/renew`, `renew-accessor`, or `renew-self` without an argument).
enum TokenRenewCommand: CLICommand {
    static let path = ["token", "renew"]
    static let synopsis = "Renew a token lease"
    static let help = """
        Usage: coffer token renew [options] [TOKEN]

          Renews a token's lease, extending the amount of time it can be used. If a
          TOKEN is not provided, the locally authenticated token is used. A token
          accessor can be used as well. Lease renewal will fail if the token is not
          renewable, the token has already been revoked, or if the token has already
          reached its maximum TTL.

          Renew a token (this uses the /auth/token/renew endpoint and permission):

              $ coffer token renew 96ddf4bc-d217-f3ba-f9bd-017055595017

          Renew the currently authenticated token (this uses the /auth/token/renew-self
          endpoint and permission):

              $ coffer token renew

          Renew a token requesting a specific increment value:

              $ coffer token renew -increment=30m 96ddf4bc-d217-f3ba-f9bd-017055595017
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "accessor", kind: .bool, default: "false",
                usage: "Treat the argument as an accessor instead of a token. When this option is selected, the output "
                    + "will NOT include the token."),
            FlagSpec(
                "increment", aliases: ["i"], kind: .string,
                usage: "Request a specific increment for renewal. This increment may not be honored, for instance in "
                    + "the case of periodic tokens. If not supplied, the server will use the default TTL. This is "
                    + "specified as a numeric string with suffix like \"30s\" or \"5m\"."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if run.arguments.count > 1 {
            run.error("Too many arguments (expected 1, got \(run.arguments.count))")
            return 1
        }
        let increment: Int64
        do {
            increment = try DurationFlag("increment", in: run.flags).seconds
        } catch {
            run.error(error.message)
            return 1
        }
        let token = run.arguments.first?.trimmingWhitespace() ?? ""
        let byAccessor = run.flags.bool("accessor") == true
        return await run.secretCall("Error renewing token", onEmpty: { 0 }) { client in
            if token.isEmpty { return try await client.renewSelf(increment: increment) }
            if byAccessor { return try await client.renewAccessor(token, increment: increment) }
            return try await client.renewToken(token, increment: increment)
        }
    }
}
