import CofferClient
@testable import CofferCLI
import Testing

@Suite("Dispatch, help, version, global settings")
struct DispatchTests {
    @Test func version() async {
        let cli = CLIHarness()
        #expect(await cli.run("version") == 0)
        #expect(cli.out == "Coffer v9.9.9-test\n")
        #expect(await cli.run("-version") == 0)
        #expect(cli.transport.requests.isEmpty)
        #expect(cli.clientConfigurations.isEmpty, "no client for commands that do not need one")
    }

    @Test func noArgumentsShowsHelpAndExits127() async {
        let cli = CLIHarness()
        #expect(await cli.run([]) == 127)
        #expect(cli.err.hasPrefix("Usage: coffer <command> [args]"))
    }

    @Test func helpListsCommandsIncludingServer() async {
        let cli = CLIHarness()
        #expect(await cli.run("-h") == 0)
        for name in ["read", "write", "list", "delete", "status", "server", "operator", "version"] {
            #expect(cli.err.contains("\n    \(name) "), "\(name) is listed")
        }
        #expect(cli.err.contains("Common commands:"))
        #expect(cli.err.contains("Other commands:"))
    }

    @Test func unknownCommand() async {
        let cli = CLIHarness()
        #expect(await cli.run("frobnicate") == 127)
        #expect(cli.err.hasPrefix("Unknown command: frobnicate\n"))
    }

    @Test func commandHelp() async {
        let cli = CLIHarness()
        #expect(await cli.run("read", "-h") == 0)
        #expect(cli.err.hasPrefix("Usage: coffer read [options] PATH"))
        #expect(cli.err.contains("HTTP Options:"))
        #expect(cli.err.contains("\n  -address=<string>\n"))
        #expect(cli.err.contains("\n  -field=<string>\n"))
        #expect(cli.transport.requests.isEmpty)
    }

    @Test func groupHelp() async {
        let cli = CLIHarness()
        #expect(await cli.run("operator") == 1)
        #expect(cli.err.contains("Subcommands:\n    generate-root    Generates a new root token\n    init             Initializes a server\n"))
        #expect(cli.err.contains("\n    unseal           Unseals the Vault server"))
        let help = CLIHarness()
        #expect(await help.run("operator", "-h") == 0)
    }

    @Test func serverIsNotHandledHere() async {
        let cli = CLIHarness()
        #expect(await cli.run("server", "-dev") == 1)
    }

    @Test func badFlagsAndFormats() async {
        let cli = CLIHarness()
        #expect(await cli.run("read", "-bogus", "secret/foo") == 1)
        #expect(cli.err == "flag provided but not defined: -bogus\n")

        let format = CLIHarness()
        #expect(await format.run("read", "-format=yaml", "secret/foo") == 1)
        #expect(format.err == "Invalid output format: yaml\n")
        #expect(format.transport.requests.isEmpty)

        let environment = CLIHarness(environment: ["VAULT_FORMAT": "xml", "VAULT_ADDR": "http://h:1"])
        #expect(await environment.run("status") == 1)
        #expect(environment.err == "Invalid output format: xml\n")
        #expect(await environment.run("version") == 0, "commands without -format ignore VAULT_FORMAT")
    }

    @Test func addressFlagAndTokenReachTheClient() async throws {
        let cli = CLIHarness(environment: ["VAULT_ADDR": "http://env:1", "COFFER_TOKEN": "s.coffer", "VAULT_MAX_RETRIES": "0"])
        cli.transport.on("PUT", "sys/seal", status: 204)
        #expect(await cli.run("operator", "seal", "-address=http://flag:2", "-tls-skip-verify") == 0)
        let configuration = try #require(cli.clientConfigurations.first)
        #expect(configuration.address == "http://flag:2")
        #expect(configuration.token == "s.coffer")
        #expect(configuration.tlsSkipVerify)
        #expect(cli.transport.requests.first?.url == "http://flag:2/v1/sys/seal")
        #expect(cli.transport.shutdowns == 1)
    }

    @Test func invalidAddressExitsTwo() async {
        let cli = CLIHarness(environment: ["VAULT_ADDR": "127.0.0.1:8200"])
        #expect(await cli.run("read", "secret/foo") == 2)
        #expect(cli.err.contains("invalid address \"127.0.0.1:8200\""))
    }

    @Test func registryPathsAreUniqueAndEveryCommandHasHelp() {
        let names = CommandRegistry.commands.map { $0.path.joined(separator: " ") }
        #expect(Set(names).count == names.count)
        for command in CommandRegistry.commands {
            let name = command.path.joined(separator: " ")
            #expect(HelpText.command(command).hasPrefix("Usage: coffer \(name)"), "\(name)")
            let spellings = command.flagGroups.flatMap { $0.flags }.flatMap { $0.spellings }
            #expect(Set(spellings).count == spellings.count, "\(name) has no duplicate flags")
        }
    }

    @Test func processContextReadsTheEnvironment() {
        let context = CLIContext.process()
        #expect(context.environment["PATH"] != nil)
    }
}

@Suite("Scoped client")
struct ScopedClientTests {
    @Test func withClientShutsDownAfterTheBody() async throws {
        let port = try OneShotHTTPServer.closedPort()
        let address = try await VaultClient.withClient(
            configuration: VaultClientConfiguration(address: "http://127.0.0.1:\(port)")
        ) { client in
            client.url(for: "sys/health")
        }
        #expect(address == "http://127.0.0.1:\(port)/v1/sys/health")
    }

    @Test func withClientRethrows() async throws {
        let port = try OneShotHTTPServer.closedPort()
        await #expect(throws: VaultClientError.self) {
            try await VaultClient.withClient(configuration: VaultClientConfiguration(address: "http://127.0.0.1:\(port)")) {
                try await $0.sealStatus()
            }
        }
    }
}
