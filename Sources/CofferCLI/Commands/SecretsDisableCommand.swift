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
        if let status = run.checkArgumentCount(1...1) { return status }
        let path = run.arguments[0].sanitizedAPIPath + "/"
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await client.disableMount(at: path)
        } catch {
            return run.fail("Error disabling secrets engine at \(path)", error)
        }
        run.output("Success! Disabled the secrets engine (if it existed) at: \(path)")
        return 0
    }
}
