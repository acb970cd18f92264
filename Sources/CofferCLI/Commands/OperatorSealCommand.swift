import CofferClient

/// `coffer operator seal`: seals the server (root or `sudo` token).
enum OperatorSealCommand: CLICommand {
    static let path = ["operator", "seal"]
    static let synopsis = "Seals the Vault server"
    static let help = """
        Usage: coffer operator seal [options]

          Seals the Coffer server. Sealing tells the server to stop responding to any
          operations until it is unsealed. When sealed, the server discards its in-memory
          root key to unlock the data, so it is physically blocked from responding to
          operations unsealed.

          If an unseal is in progress, sealing the server will reset the unsealing process.
          Users will have to re-enter their portions of the root key again.

          This command does nothing if the server is already sealed.

          Seal the server:

              $ coffer operator seal
        """
    static let flagGroups: [FlagGroup] = [.http]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await client.seal()
        } catch {
            return run.fail("Error sealing", error)
        }
        run.output("Success! Vault is sealed.")
        return 0
    }
}
