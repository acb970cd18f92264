import CofferClient

/// `coffer token revoke [-self] [-accessor] [-mode=orphan|path] [TOKEN]`: revokes a token and
/// its children (`auth/token/revoke`), the token alone (`revoke-orphan`), by accessor
/// (`revoke-accessor`), every token under an auth path (`sys/leases/revoke-prefix`), or the
/// current token (`revoke-self`).
enum TokenRevokeCommand: CLICommand {
    static let path = ["token", "revoke"]
    static let synopsis = "Revoke a token and its children"
    static let help = """
        Usage: coffer token revoke [options] [TOKEN | ACCESSOR]

          Revokes authentication tokens and their children. If a TOKEN is not provided,
          the locally authenticated token is used. The "-mode" flag can be used to
          control the behavior of the revocation. See the "-mode" flag documentation
          for more information.

          Revoke a token and all the token's children:

              $ coffer token revoke 96ddf4bc-d217-f3ba-f9bd-017055595017

          Revoke a token leaving the token's children:

              $ coffer token revoke -mode=orphan 96ddf4bc-d217-f3ba-f9bd-017055595017

          Revoke a token by accessor:

              $ coffer token revoke -accessor 9793c9b3-e04a-46f3-e7b8-748d7da248da
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Command Options", [
            FlagSpec("accessor", kind: .bool, default: "false", usage: "Treat the argument as an accessor instead of a token."),
            FlagSpec("self", kind: .bool, default: "false", usage: "Perform the revocation on the currently authenticated token."),
            FlagSpec(
                "mode", kind: .string,
                usage: "Type of revocation to perform. If unspecified, the server will revoke the token and all of the "
                    + "token's children. If \"orphan\", the server will revoke only the token, leaving the children as "
                    + "orphans. If \"path\", tokens created from the given authentication path prefix are deleted along "
                    + "with their children."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        let byAccessor = run.flags.bool("accessor") == true
        let revokeSelf = run.flags.bool("self") == true
        let mode = run.flags.string("mode") ?? ""
        let count = run.arguments.count
        guard ["", "orphan", "path"].contains(mode) else {
            run.error("Invalid mode: \(mode)")
            return 1
        }
        if let problem = conflict(revokingSelf: revokeSelf, accessor: byAccessor, mode: mode, count: count) {
            run.error(problem)
            return 1
        }
        let token = run.arguments.first?.trimmingWhitespace() ?? ""
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            switch (revokeSelf, byAccessor, mode) {
            case (true, _, _): try await client.revokeSelf()
            case (_, true, _): try await client.revokeAccessor(token)
            case (_, _, "orphan"): try await client.revokeOrphan(token)
            case (_, _, "path"): try await client.revokePrefix(token)
            default: try await client.revokeToken(token)
            }
        } catch {
            return run.fail("Error revoking token", error)
        }
        run.output("Success! Revoked token (if it existed)")
        return 0
    }

    /// The flag and argument combinations `vault` refuses, in its order and words.
    private static func conflict(revokingSelf revokeSelf: Bool, accessor: Bool, mode: String, count: Int) -> String? {
        if revokeSelf && count > 0 { return "Too many arguments with -self (expected 0, got \(count))" }
        if !revokeSelf && count > 1 { return "Too many arguments (expected 1 or -self, got \(count))" }
        if !revokeSelf && count < 1 { return "Not enough arguments (expected 1 or -self, got \(count))" }
        if revokeSelf && accessor { return "Cannot use -self with -accessor!" }
        if revokeSelf && !mode.isEmpty { return "Cannot use -self with -mode!" }
        if accessor && !mode.isEmpty { return "Cannot use -accessor with -mode=\(mode)!" }
        return nil
    }
}
