import CofferClient
import CofferJSON
import Testing

private let initResponse = #"{"keys": ["aa01", "bb02", "cc03"], "keys_base64": ["qgE=", "uwI=", "zAM="], "root_token": "s.root"}"#
private let sealed = #"{"type": "shamir", "initialized": true, "sealed": true, "t": 2, "n": 3, "progress": 1, "nonce": "x", "version": "0.1.0", "build_date": "d", "storage_type": "inmem"}"#
private let unsealed = #"{"type": "shamir", "initialized": true, "sealed": false, "t": 2, "n": 3, "progress": 0, "nonce": "", "version": "0.1.0", "build_date": "d", "storage_type": "inmem"}"#

@Suite("operator commands against a fake server")
struct OperatorCommandTests {
    @Test func initPrintsKeysTokenAndAdvice() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/init", json: initResponse)
        #expect(await cli.run("operator", "init", "-key-shares=3", "-key-threshold=2") == 0)
        #expect(
            cli.out == """
                Unseal Key 1: qgE=
                Unseal Key 2: uwI=
                Unseal Key 3: zAM=

                Initial Root Token: s.root

                Vault initialized with 3 key shares and a key threshold of 2. Please securely
                distribute the key shares printed above. When the Vault is re-sealed,
                restarted, or stopped, you must supply at least 2 of these keys to unseal it
                before it can start servicing requests.

                Vault does not store the generated root key. Without at least 2 keys to
                reconstruct the root key, Vault will remain permanently sealed!

                It is possible to generate new unseal keys, provided you have a quorum of
                existing unseal keys shares. See "coffer operator rekey" for more information.

                """)
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["secret_shares": 3, "secret_threshold": 2])
    }

    @Test func initDefaultsToFiveAndThree() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/init", json: initResponse)
        #expect(await cli.run("operator", "init") == 0)
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["secret_shares": 5, "secret_threshold": 3])
    }

    @Test func initJSONUsesVaultsMachineShape() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/init", json: initResponse)
        #expect(await cli.run("operator", "init", "-n", "3", "-t", "2", "-format=json") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json == [
            "unseal_keys_b64": ["qgE=", "uwI=", "zAM="],
            "unseal_keys_hex": ["aa01", "bb02", "cc03"],
            "unseal_shares": 3,
            "unseal_threshold": 2,
            "recovery_keys_b64": [],
            "recovery_keys_hex": [],
            "recovery_keys_shares": 0,
            "recovery_keys_threshold": 0,
            "root_token": "s.root",
        ])
    }

    @Test func initAlreadyInitialized() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/init", status: 400, json: #"{"errors": ["Vault is already initialized"]}"#)
        #expect(await cli.run("operator", "init") == 2)
        #expect(cli.err.hasPrefix("Error initializing: Error making API request."))
        #expect(cli.err.hasSuffix("* Vault is already initialized\n"))
    }

    @Test func initStatusFlag() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/init", json: #"{"initialized": false}"#)
        #expect(await cli.run("operator", "init", "-status") == 2)
        #expect(cli.out == "Vault is not initialized\n")
    }

    @Test func unsealWithArgument() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/unseal", json: sealed)
        cli.transport.on("GET", "sys/leader", json: #"{"ha_enabled": false}"#)
        #expect(await cli.run("operator", "unseal", "qgE=") == 0)
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["key": "qgE="])
        #expect(cli.out.contains("Unseal Progress    1/2\n"))
    }

    @Test func unsealReadsALineFromAPipe() async throws {
        let cli = CLIHarness(stdin: "  uwI=  \nignored\n")
        cli.transport.on("PUT", "sys/unseal", json: unsealed)
        cli.transport.on("GET", "sys/leader", json: #"{"ha_enabled": false}"#)
        #expect(await cli.run("operator", "unseal") == 0)
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["key": "uwI="])
        #expect(!cli.out.contains("Unseal Key (will be hidden)"), "no prompt without a terminal")
        #expect(cli.out.contains("Sealed          false\n"))
    }

    @Test func unsealPromptsOnATerminal() async throws {
        let cli = CLIHarness(stdin: "zAM=\n", stdinIsTerminal: true)
        cli.transport.on("PUT", "sys/unseal", json: unsealed)
        cli.transport.on("GET", "sys/leader", json: #"{"ha_enabled": false}"#)
        #expect(await cli.run("operator", "unseal") == 0)
        #expect(cli.out.hasPrefix("Unseal Key (will be hidden): \nKey "))
        #expect(!cli.out.contains("zAM="), "the key is never echoed")
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["key": "zAM="])
    }

    @Test func unsealWithEmptyStdinFails() async {
        let cli = CLIHarness(stdin: "")
        #expect(await cli.run("operator", "unseal") == 1)
        #expect(cli.transport.requests.isEmpty)
    }

    @Test func unsealReset() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/unseal", json: sealed)
        cli.transport.on("GET", "sys/leader", json: #"{"ha_enabled": false}"#)
        #expect(await cli.run("operator", "unseal", "-reset") == 0)
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["reset": true])
    }

    @Test func unsealBadKey() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/unseal", status: 400, json: #"{"errors": ["'key' must be a valid hex or base64 string"]}"#)
        #expect(await cli.run("operator", "unseal", "zz") == 2)
        #expect(cli.err.hasPrefix("Error unsealing: Error making API request."))
    }

    @Test func seal() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/seal", status: 204)
        #expect(await cli.run("operator", "seal") == 0)
        #expect(cli.out == "Success! Vault is sealed.\n")

        let denied = CLIHarness()
        denied.transport.on("PUT", "sys/seal", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await denied.run("operator", "seal") == 2)
        #expect(denied.err.hasPrefix("Error sealing: Error making API request.\n\nURL: PUT http://127.0.0.1:8200/v1/sys/seal\n"))
    }
}
