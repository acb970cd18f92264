import CofferClient

/// `coffer operator unseal [KEY]`: enters one unseal key share (prompting without echo when
/// none is given) and prints the seal status. `-reset` discards the shares entered so far.
enum OperatorUnsealCommand: CLICommand {
    static let path = ["operator", "unseal"]
    static let synopsis = "Unseals the Vault server"
    static let prompt = "Unseal Key (will be hidden): "
    static let help = """
        Usage: coffer operator unseal [options] [KEY]

          Provide a portion of the root key to unseal a Coffer server. Coffer starts in a
          sealed state. It cannot perform operations until it is unsealed. This command
          accepts a portion of the root key (an "unseal key").

          The unseal key can be supplied as an argument to the command, but this is not
          recommended as the unseal key will be available in your history:

              $ coffer operator unseal IXyR0OJnSFobekZMMCKCoVEpT7wI6l+USMzE3IcyDyo=

          Instead, run the command with no arguments and it will prompt for the key. When
          standard input is not a terminal, the key is read from its first line.

          Reset the unseal progress:

              $ coffer operator unseal -reset
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "reset", kind: .bool, default: "false",
                usage: "Discard any previously entered keys to the unseal process."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...1) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        if run.flags.bool("reset") == true {
            do {
                let status = try await client.unsealReset()
                return await SealStatusOutput.print(status, client: client, run: run)
            } catch {
                return run.fail("Error resetting unseal process", error)
            }
        }
        var key = run.arguments.first ?? ""
        if key.isEmpty {
            switch readKey(run) {
            case .success(let entered): key = entered
            case .failure(let exit): return exit.code
            }
        }
        do {
            let status = try await client.unseal(key: key)
            return await SealStatusOutput.print(status, client: client, run: run)
        } catch {
            return run.fail("Error unsealing", error)
        }
    }

    /// Prompts on a terminal (no echo); reads the first line of a non-terminal stdin.
    private static func readKey(_ run: CommandRun) -> Result<String, ExitStatus> {
        let input = run.context.stdin
        let interactive = input.isTerminal
        if interactive && run.flags.bool("non-interactive") == true {
            run.error("An unseal key is required: give it as the argument; -non-interactive forbids prompting for it.")
            return .failure(ExitStatus(1))
        }
        let line: String?
        do {
            line = interactive ? try input.readSecretLine(prompt: prompt, output: run.context.stdout) : try input.readLine()
        } catch {
            run.error(TextWrap.wrap(
                "An error occurred attempting to ask for an unseal key. The unseal key can be provided as the "
                    + "first argument to the unseal command. The raw error was:\n\n\(CommandRun.message(for: error))"))
            return .failure(ExitStatus(1))
        }
        let key = (line ?? "").trimmingWhitespace()
        guard !key.isEmpty else {
            run.error("No unseal key given: standard input was empty.")
            return .failure(ExitStatus(1))
        }
        return .success(key)
    }
}
