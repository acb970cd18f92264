import CofferClient
import CofferJSON
import Testing

private let lookupAnswer = """
    {"request_id": "r", "lease_id": "", "renewable": false, "lease_duration": 0, "data": {
      "id": "kv/creds/app/abc", "issue_time": "2024-01-01T10:00:00.5Z", "expire_time": "2024-01-01T11:00:00.5Z",
      "last_renewal": null, "renewable": true, "ttl": 3599}, "wrap_info": null, "warnings": null, "auth": null}
    """

private let renewAnswer = """
    {"request_id": "r", "lease_id": "kv/creds/app/abc", "renewable": true, "lease_duration": 7200, "data": null,
     "wrap_info": null, "warnings": null, "auth": null}
    """

@Suite("lease commands")
struct LeaseCommandTests {
    @Test func lookupSendsTheIDInTheBody() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/leases/lookup", json: lookupAnswer)
        #expect(await cli.run("lease", "lookup", " kv/creds/app/abc ") == 0)
        #expect(cli.transport.routes == ["PUT sys/leases/lookup"])
        #expect(cli.transport.requests[0].json == ["lease_id": "kv/creds/app/abc"])
        #expect(
            cli.out == """
                Key             Value
                ---             -----
                expire_time     2024-01-01T11:00:00.5Z
                id              kv/creds/app/abc
                issue_time      2024-01-01T10:00:00.5Z
                last_renewal    <nil>
                renewable       true
                ttl             59m59s

                """)
    }

    @Test func lookupJSONAndErrors() async throws {
        let json = CLIHarness()
        json.transport.on("PUT", "sys/leases/lookup", json: lookupAnswer)
        #expect(await json.run("lease", "lookup", "-format=json", "kv/creds/app/abc") == 0)
        #expect(try JSONParser.parse(Array(json.out.utf8))["data"]?["ttl"] == 3599)

        let invalid = CLIHarness()
        invalid.transport.on("PUT", "sys/leases/lookup", status: 400, json: #"{"errors": ["invalid lease"]}"#)
        #expect(await invalid.run("lease", "lookup", "nope") == 2)
        #expect(invalid.err.hasPrefix("error looking up lease id nope: Error making API request."))

        let missing = CLIHarness()
        #expect(await missing.run("lease", "lookup") == 1)
        #expect(missing.err == "Missing ID!\n")

        let many = CLIHarness()
        #expect(await many.run("lease", "lookup", "a", "b") == 1)
        #expect(many.err == "Too many arguments (expected 1, got 2)\n")
    }

    @Test func renewWithIncrement() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/leases/renew", json: renewAnswer)
        #expect(await cli.run("lease", "renew", "-increment=2h", "kv/creds/app/abc") == 0)
        #expect(cli.transport.requests[0].json == ["lease_id": "kv/creds/app/abc", "increment": 7200])
        #expect(
            cli.out == """
                Key                Value
                ---                -----
                lease_id           kv/creds/app/abc
                lease_duration     2h
                lease_renewable    true

                """)

        let plain = CLIHarness()
        plain.transport.on("PUT", "sys/leases/renew", json: renewAnswer)
        #expect(await plain.run("lease", "renew", "kv/creds/app/abc") == 0)
        #expect(plain.transport.requests[0].json == ["lease_id": "kv/creds/app/abc", "increment": 0])
    }

    @Test func renewErrors() async {
        let refused = CLIHarness()
        refused.transport.on("PUT", "sys/leases/renew", status: 400, json: #"{"errors": ["lease is not renewable"]}"#)
        #expect(await refused.run("lease", "renew", "x") == 2)
        #expect(refused.err.hasPrefix("Error renewing x: Error making API request."))

        let bad = CLIHarness()
        #expect(await bad.run("lease", "renew", "-increment=later", "x") == 1)
        #expect(bad.err == "invalid value \"later\" for flag -increment: time: invalid duration \"later\"\n")

        let many = CLIHarness()
        #expect(await many.run("lease", "renew", "a", "b") == 1)
        #expect(many.err == "Too many arguments (expected 1-2, got 2)\n")
        for cli in [bad, many] { #expect(cli.transport.requests.isEmpty) }
    }

    @Test(arguments: [
        (["kv/creds/app/abc"], "PUT sys/leases/revoke/kv/creds/app/abc", JSONValue?.some(["sync": false]),
         "All revocation operations queued successfully!\n"),
        (["-sync", "kv/creds/app/abc"], "PUT sys/leases/revoke/kv/creds/app/abc", JSONValue?.some(["sync": true]),
         "Success! Revoked lease: kv/creds/app/abc\n"),
        (["-prefix", "kv/creds"], "PUT sys/leases/revoke-prefix/kv/creds", JSONValue?.some(["sync": false]),
         "All revocation operations queued successfully!\n"),
        (["-prefix", "-sync", "kv/creds"], "PUT sys/leases/revoke-prefix/kv/creds", JSONValue?.some(["sync": true]),
         "Success! Revoked any leases with prefix: kv/creds\n"),
        (["-force", "-prefix", "kv/creds"], "PUT sys/leases/revoke-force/kv/creds", JSONValue?.none,
         "Success! Force revoked any leases with prefix: kv/creds\n"),
    ])
    func revoke(arguments: [String], route: String, body: JSONValue?, output: String) async {
        let cli = CLIHarness()
        let path = String(route.dropFirst("PUT ".count))
        cli.transport.on("PUT", path, status: 204)
        #expect(await cli.run(["lease", "revoke"] + arguments) == 0)
        #expect(cli.transport.routes == [route])
        #expect(cli.transport.requests[0].json == body)
        #expect(cli.out == output)
        if arguments.contains("-force") {
            #expect(cli.err.hasPrefix("Warning! Force-removing leases can cause Coffer to become out of sync with"))
        } else {
            #expect(cli.err == "")
        }
    }

    @Test func revokeErrors() async {
        let forceAlone = CLIHarness()
        #expect(await forceAlone.run("lease", "revoke", "-force", "kv/creds") == 1)
        #expect(forceAlone.err == "Specifying -force requires also specifying -prefix\n")
        #expect(forceAlone.transport.requests.isEmpty)

        let denied = CLIHarness()
        denied.transport.on("PUT", "sys/leases/revoke-prefix/kv", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await denied.run("lease", "revoke", "-prefix", "kv") == 2)
        #expect(denied.err.hasPrefix("Error revoking leases with prefix kv: Error making API request."))

        let one = CLIHarness()
        one.transport.on("PUT", "sys/leases/revoke/x", status: 400, json: #"{"errors": ["invalid lease"]}"#)
        #expect(await one.run("lease", "revoke", "x") == 2)
        #expect(one.err.hasPrefix("Error revoking lease x: Error making API request."))

        let force = CLIHarness()
        force.transport.on("PUT", "sys/leases/revoke-force/kv", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await force.run("lease", "revoke", "-f", "-prefix", "kv") == 2)
        #expect(force.err.contains("Error force revoking leases with prefix kv: Error making API request."))
    }
}
