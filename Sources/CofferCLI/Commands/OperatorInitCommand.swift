import CofferClient
import CofferJSON

/// `coffer operator init`: initialises the server and prints the unseal keys and root token.
enum OperatorInitCommand: CLICommand {
    static let path = ["operator", "init"]
    static let synopsis = "Initializes a server"
    static let help = """
        Usage: coffer operator init [options]

          Initializes a Coffer server. Initialization is the process by which Coffer's
          storage backend is prepared to receive data. Since Coffer servers share the same
          storage backend in HA mode, you only need to initialize one Coffer to initialize
          the storage backend.

          During initialization, Coffer generates an in-memory root key and applies
          Shamir's secret sharing algorithm to disassemble that root key into a
          configuration number of key shares such that a configurable subset of those key
          shares must come together to regenerate the root key. These keys are often
          called "unseal keys" in Coffer's documentation.

          This command cannot be run against an already-initialized Coffer cluster.

          Start initialization with the default options:

              $ coffer operator init

          Initialize, but split the root key into 10 shares with 6 needed to unseal:

              $ coffer operator init -key-shares=10 -key-threshold=6
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Common Options", [
            FlagSpec(
                "key-shares", aliases: ["n"], kind: .int, default: "5",
                usage: "Number of key shares to split the generated root key into. This is the number of \"unseal keys\" to generate."),
            FlagSpec(
                "key-threshold", aliases: ["t"], kind: .int, default: "3",
                usage: "Number of key shares required to reconstruct the root key. This must be less than or equal to -key-shares."),
            FlagSpec(
                "status", kind: .bool, default: "false",
                usage: "Print the current initialization status. An exit code of 0 means the Coffer is already initialized. An exit code of 1 means an error occurred. An exit code of 2 means the Coffer is not initialized."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        if run.flags.bool("status") == true {
            return await printInitStatus(client: client, run: run)
        }
        let shares = run.flags.int("key-shares") ?? 5
        let threshold = run.flags.int("key-threshold") ?? 3
        let response: VaultInitResponse
        do {
            response = try await client.initialize(shares: shares, threshold: threshold)
        } catch {
            return run.fail("Error initializing", error)
        }
        switch run.format {
        case .json:
            run.printJSON(machineOutput(response, shares: shares, threshold: threshold))
        case .table:
            run.output(humanOutput(response, shares: shares, threshold: threshold))
        }
        return 0
    }

    /// `vault operator init -format=json`'s shape: `unseal_keys_b64`, `unseal_keys_hex`,
    /// `unseal_shares`, `unseal_threshold`, `recovery_keys_*`, `root_token`.
    static func machineOutput(_ response: VaultInitResponse, shares: Int, threshold: Int) -> JSONValue {
        let storedKeys = response.keys.isEmpty
        return [
            "unseal_keys_b64": JSONValue(response.keysBase64),
            "unseal_keys_hex": JSONValue(response.keys),
            "unseal_shares": .int(Int64(storedKeys ? 1 : shares)),
            "unseal_threshold": .int(Int64(storedKeys ? 1 : threshold)),
            "recovery_keys_b64": JSONValue(response.recoveryKeysBase64),
            "recovery_keys_hex": JSONValue(response.recoveryKeys),
            "recovery_keys_shares": .int(Int64(response.recoveryKeys.count)),
            "recovery_keys_threshold": .int(0),
            "root_token": .string(response.rootToken),
        ]
    }

    /// The keys, the root token and the three explanatory paragraphs, wrapped at 78 columns.
    static func humanOutput(_ response: VaultInitResponse, shares: Int, threshold: Int) -> String {
        var lines: [String] = []
        let keys = response.keysBase64.isEmpty ? response.keys : response.keysBase64
        for (index, key) in keys.enumerated() {
            lines.append("Unseal Key \(index + 1): \(key)")
        }
        let recovery = response.recoveryKeysBase64.isEmpty ? response.recoveryKeys : response.recoveryKeysBase64
        for (index, key) in recovery.enumerated() {
            lines.append("Recovery Key \(index + 1): \(key)")
        }
        lines.append("")
        lines.append("Initial Root Token: \(response.rootToken)")
        if !keys.isEmpty {
            lines.append("")
            lines.append(TextWrap.wrap(
                "Vault initialized with \(shares) key shares and a key threshold of \(threshold). Please "
                    + "securely distribute the key shares printed above. When the Vault is re-sealed, "
                    + "restarted, or stopped, you must supply at least \(threshold) of these keys to unseal it "
                    + "before it can start servicing requests."))
            lines.append("")
            lines.append(TextWrap.wrap(
                "Vault does not store the generated root key. Without at least \(threshold) keys to "
                    + "reconstruct the root key, Vault will remain permanently sealed!"))
            lines.append("")
            lines.append(TextWrap.wrap(
                "It is possible to generate new unseal keys, provided you have a quorum of existing "
                    + "unseal keys shares. See \"coffer operator rekey\" for more information."))
        }
        return lines.joined(separator: "\n")
    }

    private static func printInitStatus(client: VaultClient, run: CommandRun) async -> Int32 {
        do {
            if try await client.initStatus() {
                run.output("Vault is initialized")
                return 0
            }
            run.output("Vault is not initialized")
            return 2
        } catch {
            run.error("Error checking init status: \(CommandRun.message(for: error))")
            return 1
        }
    }
}
