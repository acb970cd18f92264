public import CofferClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything the CLI takes from the outside world, so that tests (and embedders) can run
/// it without touching the real environment, home directory, terminal or network.
public struct CLIContext: Sendable {
    /// Environment variables (`VAULT_ADDR`, `VAULT_TOKEN`, ...).
    public var environment: [String: String]
    /// Where `.vault-token` is looked up; nil for none.
    public var homeDirectory: String?
    public var stdin: any CLIInput
    public var stdout: any CLIOutput
    public var stderr: any CLIOutput
    /// Builds the API client from the resolved settings. The CLI calls `shutdown()` on it
    /// when the command is done. Tests return a client over a fake transport.
    public var makeClient: @Sendable (VaultClientConfiguration) throws -> VaultClient
    /// Printed by `coffer version`.
    public var version: String

    public init(
        environment: [String: String],
        homeDirectory: String?,
        stdin: any CLIInput = StandardInput(),
        stdout: any CLIOutput = FileDescriptorOutput.standardOutput,
        stderr: any CLIOutput = FileDescriptorOutput.standardError,
        makeClient: @escaping @Sendable (VaultClientConfiguration) throws -> VaultClient = { configuration in
            try VaultClient(configuration: configuration)
        },
        version: String = CofferCLI.defaultVersion
    ) {
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.makeClient = makeClient
        self.version = version
    }

    /// The running process: its environment, `$HOME`, standard streams, a real HTTP client.
    public static func process(version: String = CofferCLI.defaultVersion) -> CLIContext {
        let environment = CLIContext.processEnvironment()
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        return CLIContext(environment: environment, homeDirectory: home, version: version)
    }

    /// `VAULT_<name>`, else `COFFER_<name>`; empty values count as unset, as in Go's client.
    func setting(_ name: String) -> String? {
        for prefix in ["VAULT_", "COFFER_"] {
            if let value = environment[prefix + name], !value.isEmpty { return value }
        }
        return nil
    }

    private static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        #if canImport(Darwin)
        guard var pointer = _NSGetEnviron()?.pointee else { return result }
        #else
        guard var pointer = environ as UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? else { return result }
        #endif
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let key = String(text[..<equals])
                if result[key] == nil { result[key] = String(text[text.index(after: equals)...]) }
            }
            pointer += 1
        }
        return result
    }
}
