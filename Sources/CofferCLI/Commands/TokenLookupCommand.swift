import CofferClient

/// `coffer token lookup [-accessor] [TOKEN]`: a token's properties (`auth/token/lookup`,
/// `lookup-accessor`, or `lookup-self` without an argument).
enum TokenLookupCommand: CLICommand {
    static let path = ["token", "lookup"]
    static let synopsis = "Display information about a token"
    static let help = """
        Usage: coffer token lookup [options] [TOKEN | ACCESSOR]

          Displays information about a token or accessor. If a TOKEN is not provided,
          the locally authenticated token is used.

          Get information about the locally authenticated token (this uses the
          /auth/token/lookup-self endpoint and permission):

              $ coffer token lookup

          Get information about a particular token (this uses the /auth/token/lookup
          endpoint and permission):

              $ coffer token lookup 96ddf4bc-d217-f3ba-f9bd-017055595017

          Get information about a token via its accessor:

              $ coffer token lookup -accessor 9793c9b3-e04a-46f3-e7b8-748d7da248da
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "accessor", kind: .bool, default: "false",
                usage: "Treat the argument as an accessor instead of a token. When this option is selected, the output "
                    + "will NOT include the token."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        let byAccessor = run.flags.bool("accessor") == true
        let count = run.arguments.count
        if byAccessor && count != 1 {
            run.error("\(count < 1 ? "Not enough" : "Too many") arguments with -accessor (expected 1, got \(count))")
            return 1
        }
        if count > 1 {
            run.error("Too many arguments (expected 0-1, got \(count))")
            return 1
        }
        let token = run.arguments.first?.trimmingWhitespace() ?? ""
        return await run.secretCall("Error looking up token", onEmpty: { 0 }) { client in
            if token.isEmpty { return try await client.lookupSelf() }
            return byAccessor ? try await client.lookupAccessor(token) : try await client.lookupToken(token)
        }
    }
}
