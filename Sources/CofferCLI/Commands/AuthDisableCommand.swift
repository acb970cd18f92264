import CofferClient

/// `coffer auth disable PATH`: disables the auth method at PATH (`DELETE sys/auth/<path>`),
/// revoking every token it issued.
enum AuthDisableCommand: CLICommand {
    static let path = ["auth", "disable"]
    static let synopsis = "Disables an auth method"
    static let help = """
        Usage: coffer auth disable [options] PATH

          Disables an existing auth method at the given PATH. The argument corresponds
          to the PATH of the mount, not the TYPE!. Once the auth method is disabled its
          path can no longer be used to authenticate.

          All access tokens generated via the disabled auth method are immediately
          revoked. This command will block until all tokens are revoked.

          Disable the auth method at userpass/:

              $ coffer auth disable userpass/
        """
    static let flagGroups: [FlagGroup] = [.http]

    static func run(_ run: CommandRun) async -> Int32 {
        await run.disablePath(
            failure: { "Error disabling auth method at \($0)" },
            success: { "Success! Disabled the auth method (if it existed) at: \($0)" }
        ) { client, path in try await AuthMethodsAPI.disable(client, at: path) }
    }
}
