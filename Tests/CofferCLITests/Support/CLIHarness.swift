import CofferCLI
import CofferClient
import Synchronization

/// Runs the CLI against a ``FakeTransport`` with captured streams and an injected environment.
final class CLIHarness: Sendable {
    let transport = FakeTransport()
    let stdout: CapturedOutput
    let stderr = CapturedOutput()
    let stdin: BufferedInput
    let environment: [String: String]
    let home: String?
    private let configurations = Mutex<[VaultClientConfiguration]>([])

    init(
        environment: [String: String] = [
            "VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_TOKEN": "s.test-token", "VAULT_MAX_RETRIES": "0",
        ],
        home: String? = nil,
        stdin: String = "",
        stdinIsTerminal: Bool = false,
        stdoutIsTerminal: Bool = false
    ) {
        self.environment = environment
        self.home = home
        self.stdin = BufferedInput(stdin, isTerminal: stdinIsTerminal)
        self.stdout = CapturedOutput(isTerminal: stdoutIsTerminal)
    }

    var out: String { stdout.text }
    var err: String { stderr.text }
    var clientConfigurations: [VaultClientConfiguration] { configurations.withLock { $0 } }

    func run(_ arguments: String...) async -> Int32 {
        await run(arguments)
    }

    func run(_ arguments: [String]) async -> Int32 {
        let transport = self.transport
        let context = CLIContext(
            environment: environment,
            homeDirectory: home,
            stdin: stdin,
            stdout: stdout,
            stderr: stderr,
            makeClient: { [self] configuration in
                self.configurations.withLock { $0.append(configuration) }
                return try VaultClient(configuration: configuration, transport: transport)
            },
            version: "9.9.9-test"
        )
        return await CofferCLI(context: context).run(arguments: arguments)
    }
}
