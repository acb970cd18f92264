import CofferClient
@testable import CofferCLI
import Foundation
import Testing

@Suite("Address, token and TLS settings")
struct ClientSettingsTests {
    private func context(_ environment: [String: String], home: String? = nil) -> CLIContext {
        CLIContext(environment: environment, homeDirectory: home, stdin: BufferedInput(), stdout: CapturedOutput(), stderr: CapturedOutput())
    }

    private func configuration(
        _ environment: [String: String], home: String? = nil, flags: ParsedFlags = ParsedFlags()
    ) throws -> VaultClientConfiguration {
        try ClientSettings.configuration(flags: flags, context: context(environment, home: home))
    }

    /// A fresh temporary home directory, removed by the caller.
    private func makeHome(token: String?) throws -> URL {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        if let token {
            try token.write(to: home.appendingPathComponent(".vault-token"), atomically: true, encoding: .utf8)
        }
        return home
    }

    @Test func defaultsLikeVault() throws {
        let configuration = try configuration([:])
        #expect(configuration.address == "https://127.0.0.1:8200")
        #expect(configuration.token == nil)
        #expect(configuration.tlsSkipVerify == false)
        #expect(configuration.caCertificateFile == nil)
        #expect(configuration.maxRetries == 2)
        #expect(configuration.timeout == .seconds(60))
    }

    @Test func addressPrecedence() throws {
        #expect(try configuration(["COFFER_ADDR": "http://c:1"]).address == "http://c:1")
        #expect(try configuration(["VAULT_ADDR": "http://v:1", "COFFER_ADDR": "http://c:1"]).address == "http://v:1")
        #expect(try configuration(["VAULT_ADDR": "", "COFFER_ADDR": "http://c:1"]).address == "http://c:1", "empty counts as unset")
        let flagged = try configuration(["VAULT_ADDR": "http://v:1"], flags: ParsedFlags(["address": .string("http://f:1")]))
        #expect(flagged.address == "http://f:1")
    }

    @Test func tokenFromEnvironmentBeatsTheTokenFile() throws {
        let home = try makeHome(token: "s.from-file")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try configuration(["VAULT_TOKEN": "s.vault", "COFFER_TOKEN": "s.coffer"], home: home.path).token == "s.vault")
        #expect(try configuration(["COFFER_TOKEN": "s.coffer"], home: home.path).token == "s.coffer")
        #expect(try configuration([:], home: home.path).token == "s.from-file")
    }

    @Test func tokenFileIsTrimmed() throws {
        let home = try makeHome(token: "  s.padded\n")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try configuration([:], home: home.path + "/").token == "s.padded")
    }

    @Test func missingOrEmptyTokenFileMeansNoToken() throws {
        let home = try makeHome(token: nil)
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try configuration([:], home: home.path).token == nil)
        try "\n".write(to: home.appendingPathComponent(".vault-token"), atomically: true, encoding: .utf8)
        #expect(try configuration([:], home: home.path).token == nil)
        #expect(try configuration([:], home: nil).token == nil)
    }

    @Test func unreadableTokenFileIsAnError() throws {
        let home = try makeHome(token: nil)
        defer { try? FileManager.default.removeItem(at: home) }
        // A directory where the file should be cannot be read as one.
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".vault-token"), withIntermediateDirectories: false)
        #expect(throws: CLIError.self) { try configuration([:], home: home.path) }
    }

    @Test func tlsSettings() throws {
        let fromEnvironment = try configuration(["VAULT_CACERT": "/ca.pem", "VAULT_SKIP_VERIFY": "true"])
        #expect(fromEnvironment.caCertificateFile == "/ca.pem")
        #expect(fromEnvironment.tlsSkipVerify)
        let flags = ParsedFlags(["ca-cert": .string("/flag.pem"), "tls-skip-verify": .bool(false)])
        let fromFlags = try configuration(["VAULT_CACERT": "/ca.pem", "VAULT_SKIP_VERIFY": "1"], flags: flags)
        #expect(fromFlags.caCertificateFile == "/flag.pem")
        #expect(!fromFlags.tlsSkipVerify)
        #expect(try configuration(["COFFER_SKIP_VERIFY": "T"]).tlsSkipVerify)
    }

    @Test func badEnvironmentValuesAreErrors() {
        #expect(throws: CLIError.self) { try configuration(["VAULT_SKIP_VERIFY": "yes"]) }
        #expect(throws: CLIError.self) { try configuration(["VAULT_CLIENT_TIMEOUT": "soon"]) }
        #expect(throws: CLIError.self) { try configuration(["VAULT_MAX_RETRIES": "-1"]) }
    }

    @Test func timeoutRetriesNamespaceWrap() throws {
        let configuration = try configuration([
            "VAULT_CLIENT_TIMEOUT": "90s", "VAULT_MAX_RETRIES": "0", "VAULT_NAMESPACE": "ns1/", "VAULT_WRAP_TTL": "5m",
        ])
        #expect(configuration.timeout == .seconds(90))
        #expect(configuration.maxRetries == 0)
        #expect(configuration.namespace == "ns1/")
        #expect(configuration.wrapTTL == "5m")
        #expect(try self.configuration(["VAULT_CLIENT_TIMEOUT": "15"]).timeout == .seconds(15))
    }

    @Test func configurationDescriptionHidesTheToken() {
        let configuration = VaultClientConfiguration(address: "http://a:1", token: "s.supersecret")
        #expect(!configuration.description.contains("supersecret"))
        #expect(configuration.description.contains("<redacted>"))
    }
}
