import CofferClient
import CofferJSON
import Testing

private func rekeyStatus(started: Bool, nonce: String = "", progress: Int = 0, verification: Bool = false, verificationNonce: String? = nil) -> String {
    let extra = verificationNonce.map { #", "verification_nonce": "\#($0)""# } ?? ""
    return """
        {"started": \(started), "nonce": "\(nonce)", "t": \(started ? 2 : 0), "n": \(started ? 3 : 0), "progress": \(progress),
         "required": 3, "pgp_fingerprints": null, "backup": false, "verification_required": \(verification)\(extra)}
        """
}

private func verifyStatus(nonce: String, progress: Int = 0) -> String {
    #"{"started": true, "nonce": "\#(nonce)", "t": 2, "n": 3, "progress": \#(progress)}"#
}

private func completed(verification: Bool) -> String {
    let extra = verification ? #", "verification_nonce": "v-1""# : ""
    return """
        {"nonce": "r-1", "complete": true, "keys": ["aa01", "bb02", "cc03"], "keys_base64": ["qgE=", "uwI=", "zAM="],
         "pgp_fingerprints": null, "backup": false, "verification_required": \(verification)\(extra)}
        """
}

@Suite("operator rekey against a fake server")
struct RekeyCommandTests {
    @Test func initSendsCountsAndVerification() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-1", verification: true))
        #expect(await cli.run("operator", "rekey", "-init", "-key-shares=3", "-key-threshold=2", "-verify") == 0)
        #expect(cli.transport.requests.first?.json == [
            "secret_shares": 3, "secret_threshold": 2, "require_verification": true,
        ])
        #expect(cli.err.hasPrefix("WARNING! If you lose the keys"))
        #expect(cli.out == """

            Key                      Value
            ---                      -----
            Nonce                    r-1
            Started                  true
            Rekey Progress           0/3
            New Shares               3
            New Threshold            2
            Verification Required    true

            """)
    }

    @Test func initDefaultsAndJSON() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-1"))
        #expect(await cli.run("operator", "rekey", "-init", "-format=json") == 0)
        #expect(cli.transport.requests.first?.json == ["secret_shares": 5, "secret_threshold": 3, "require_verification": false])
        #expect(cli.err.isEmpty)
        #expect(try JSONParser.parse(Array(cli.out.utf8)) == [
            "nonce": "r-1", "started": true, "t": 2, "n": 3, "progress": 0, "required": 3,
            "pgp_fingerprints": nil, "backup": false, "verification_required": false,
        ])
    }

    @Test func statusIdleAndVerify() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: false))
        #expect(await cli.run("operator", "rekey", "-status") == 0)
        #expect(cli.out == "Key        Value\n---        -----\nNonce      n/a\nStarted    false\n")

        let verify = CLIHarness()
        verify.transport.on("GET", "sys/rekey/verify", json: verifyStatus(nonce: "v-1", progress: 1))
        #expect(await verify.run("operator", "rekey", "-status", "-verify") == 0)
        #expect(verify.out.contains("Verification Progress    1/2\n"))
        #expect(verify.out.contains("Nonce                    v-1\n"))
    }

    @Test func provideBelowThresholdPrintsTheStatus() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-1"))
        cli.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-1", progress: 1))
        cli.transport.on("PUT", "sys/rekey/update", json: rekeyStatus(started: true, nonce: "r-1", progress: 1))
        #expect(await cli.run("operator", "rekey", "-nonce=r-1", "qgE=") == 0)
        #expect(cli.transport.routes == ["GET sys/rekey/init", "PUT sys/rekey/update", "GET sys/rekey/init"])
        #expect(cli.transport.requests[1].json == ["key": "qgE=", "nonce": "r-1"])
        #expect(cli.out.contains("Rekey Progress           1/3\n"))
    }

    @Test func provideCompletingPrintsTheNewKeys() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-1", progress: 2))
        cli.transport.on("PUT", "sys/rekey/update", json: completed(verification: false))
        #expect(await cli.run("operator", "rekey", "-nonce=r-1", "qgE=") == 0)
        #expect(cli.out == """

            Key 1: qgE=
            Key 2: uwI=
            Key 3: zAM=

            Operation nonce: r-1

            Vault rekeyed with 3 key shares and a key threshold of 2. Please securely
            distribute the key shares printed above. When Vault is re-sealed, restarted,
            or stopped, you must supply at least 2 of these keys to unseal it before it
            can start servicing requests.

            """)
    }

    @Test func provideCompletingWithVerificationShowsTheVerificationStatus() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-1", progress: 2, verification: true))
        cli.transport.on("PUT", "sys/rekey/update", json: completed(verification: true))
        cli.transport.on("GET", "sys/rekey/verify", json: verifyStatus(nonce: "v-1"))
        #expect(await cli.run("operator", "rekey", "-nonce=r-1", "qgE=") == 0)
        #expect(cli.out.contains("Key 3: zAM="))
        #expect(cli.out.contains("These will not be active until after verification is complete."))
        #expect(cli.out.hasSuffix("Verification Progress    0/2\n"))
        #expect(cli.err.contains("_not_ valid until verification is performed"))

        let json = CLIHarness()
        json.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-1", progress: 2, verification: true))
        json.transport.on("PUT", "sys/rekey/update", json: completed(verification: true))
        #expect(await json.run("operator", "rekey", "-nonce=r-1", "-format=json", "qgE=") == 0)
        let parsed = try JSONParser.parse(Array(json.out.utf8))
        #expect(parsed["keys_base64"] == ["qgE=", "uwI=", "zAM="] && parsed["verification_nonce"] == "v-1")
        #expect(parsed["complete"] == true)
    }

    @Test func verifySharesGoToVerify() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/rekey/verify", json: verifyStatus(nonce: "v-1", progress: 1))
        cli.transport.on("PUT", "sys/rekey/verify", json: #"{"nonce": "v-1", "complete": true}"#)
        #expect(await cli.run("operator", "rekey", "-verify", "-nonce=v-1", "qgE=") == 0)
        #expect(cli.transport.routes == ["GET sys/rekey/verify", "PUT sys/rekey/verify"])
        #expect(cli.transport.requests.last?.json == ["key": "qgE=", "nonce": "v-1"])
        #expect(cli.out == "Rekey verification successful.\n")
    }

    @Test func promptUsesTheOperationsNonce() async {
        let cli = CLIHarness(stdin: "zAM=\n", stdinIsTerminal: true)
        cli.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: true, nonce: "r-5"))
        cli.transport.on("PUT", "sys/rekey/update", json: rekeyStatus(started: true, nonce: "r-5", progress: 1))
        #expect(await cli.run("operator", "rekey") == 0)
        #expect(cli.out.hasPrefix("Rekey operation nonce: r-5\nUnseal Key (will be hidden): \n"))
        #expect(cli.transport.requests[1].json == ["key": "zAM=", "nonce": "r-5"])
    }

    @Test func notStartedAndLocalErrors() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/rekey/init", json: rekeyStatus(started: false))
        #expect(await cli.run("operator", "rekey", "-nonce=x", "qgE=") == 1)
        #expect(cli.err.contains("No rekey is in progress."))

        let pgp = CLIHarness()
        #expect(await pgp.run("operator", "rekey", "-init", "-pgp-keys=a.asc,b.asc") == 1)
        #expect(pgp.transport.requests.isEmpty)
        let target = CLIHarness()
        #expect(await target.run("operator", "rekey", "-target=recovery", "-status") == 1)
        #expect(target.err.hasPrefix("Unknown target: recovery"))
        let args = CLIHarness()
        #expect(await args.run("operator", "rekey", "a", "b") == 1)
    }

    @Test func cancelBothKinds() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "sys/rekey/init", status: 204)
        #expect(await cli.run("operator", "rekey", "-cancel") == 0)
        #expect(cli.out == "Success! Canceled rekeying (if it was started)\n")
        let verify = CLIHarness()
        verify.transport.on("DELETE", "sys/rekey/verify", json: verifyStatus(nonce: "v-2"))
        #expect(await verify.run("operator", "rekey", "-cancel", "-verify") == 0)
        #expect(verify.transport.routes == ["DELETE sys/rekey/verify"])
    }

    @Test func serverErrorExitsTwo() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/rekey/init", status: 400, json: #"{"errors": ["rekey already in progress"]}"#)
        #expect(await cli.run("operator", "rekey", "-init") == 2)
        #expect(cli.err.hasPrefix("Error initializing rekey: Error making API request."))
        #expect(cli.err.contains("* rekey already in progress"))

        let backup = CLIHarness()
        backup.transport.on("GET", "sys/rekey/backup", status: 400, json: #"{"errors": ["no backed-up keys found"]}"#)
        #expect(await backup.run("operator", "rekey", "-backup-retrieve") == 2)
        #expect(backup.err.hasPrefix("Error retrieving rekey stored keys:"))
    }
}
