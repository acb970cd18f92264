import CofferClient

/// `coffer auth help TYPE | PATH`: the `login` usage of an auth method, by type or by the
/// path it is enabled at (looked up with `GET sys/auth`).
enum AuthHelpCommand: CLICommand {
    static let path = ["auth", "help"]
    static let synopsis = "Prints usage for an auth method"
    static let help = """
        Usage: coffer auth help [options] TYPE | PATH

          Prints usage and help for an auth method.

            - If given a TYPE, this command prints the default help for the
              auth method of that type.

            - If given a PATH, this command prints the help output for the
              auth method enabled at that path. This path must already
              exist.

          Get usage instructions for the userpass auth method:

              $ coffer auth help userpass

          Print usage for the auth method enabled at my-method/:

              $ coffer auth help my-method/

          Each auth method produces its own help output.
        """
    static let flagGroups: [FlagGroup] = [.http]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let name = run.arguments[0].trimmingWhitespace()
        if let method = LoginMethods.named(name) {
            run.output(method.help)
            return 0
        }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let methods: [String: VaultMount]
        do {
            methods = try AuthMethodsAPI.methods(in: try await run.withoutWrapping(client) { try await AuthMethodsAPI.list($0) })
        } catch {
            return run.fail("Error listing auth methods", error)
        }
        let path = name.sanitizedAPIPath + "/"
        guard let mount = methods[path] else {
            run.error("No auth method available on the server at \"\(path)\"")
            return 1
        }
        guard let method = LoginMethods.named(mount.type) else {
            run.error(TextWrap.balanced("No method-specific CLI handler available for auth method \"\(name)\""))
            return 2
        }
        run.output(method.help)
        return 0
    }
}
