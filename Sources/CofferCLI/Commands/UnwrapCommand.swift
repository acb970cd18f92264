import CofferClient

/// `coffer unwrap [TOKEN]`: the response a wrapping token holds (`PUT sys/wrapping/unwrap`),
/// printed as `read` prints a secret (or as `list` prints keys, when the wrapped answer was
/// a listing). Without TOKEN the current token is taken to be the wrapping token.
enum UnwrapCommand: CLICommand {
    static let path = ["unwrap"]
    static let synopsis = "Unwrap a wrapped secret"
    static let help = """
        Usage: coffer unwrap [options] [TOKEN]

          Unwraps a wrapped secret from Coffer by the given token. The result is the
          same as the "coffer read" operation on the non-wrapped secret. If no token
          is given, the data in the currently authenticated token is unwrapped.

          Unwrap the data in the cubbyhole secrets engine for a token:

              $ coffer unwrap 3de9ece1-b347-e143-29b0-dc2dc31caafd

          Unwrap the data in the active token:

              $ coffer login 848f9ccf-7176-098c-5e2b-75a0689d41cd
              $ coffer unwrap # unwraps 848f9ccf...
        """
    static let flagGroups: [FlagGroup] = [.http, .output]

    static func run(_ run: CommandRun) async -> Int32 {
        if run.arguments.count > 1 {
            run.error("Too many arguments (expected 0-1, got \(run.arguments.count))")
            return 1
        }
        let token = run.arguments.first?.trimmingWhitespace()
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let secret: VaultSecret?
        do {
            secret = try await WrappingAPI.unwrap(client, token: token)
        } catch {
            return run.fail("Error unwrapping", error)
        }
        guard let secret else {
            if run.format == .table { run.output("Successfully unwrapped. There was no data in the wrapped secret.") }
            return 0
        }
        if let field = run.flags.string("field"), !field.isEmpty {
            return SecretOutput.printField(field, of: secret, run: run)
        }
        if case .array(let keys)? = secret.data?["keys"] {
            SecretOutput.printList(keys.map { $0.stringValue ?? GoValueFormatter.format($0) }, secret: secret, run: run)
            return 0
        }
        return SecretOutput.print(secret, run: run)
    }
}
