import CofferClient

/// `coffer secrets disable PATH`: unmounts the engine at PATH (`DELETE sys/mounts/<path>`).
enum SecretsDisableCommand: CLICommand {
    static let path = ["secrets", "disable"]
    static let synopsis = "Disable a secret engine"
    static let help = """
        Usage: coffer secrets disable [options] PATH

          Disables a secrets engine at the given PATH. The argument corresponds to
          the enabled PATH of the engine, not the TYPE! All secrets created by this
          engine are revoked and its data is removed.

          Disable the secrets engine enabled at aws/:

              $ coffer secrets disable aws/
        """
    static let flagGroups: [FlagGroup] = [.http]

    static func run(_ run: CommandRun) async -> Int32 {
        await run.disablePath(
            failure: { "Error disabling secrets engine at \($0)" },
            success: { "Success! Disabled the secrets engine (if it existed) at: \($0)" }
        ) { client, path in try await client.disableMount(at: path) }
    }
}
