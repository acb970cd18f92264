import CofferClient
import CofferJSON
import Testing

private let createdToken = """
    {"request_id": "r", "lease_id": "", "renewable": false, "lease_duration": 0, "data": null,
     "wrap_info": null, "warnings": ["Policy \\"web\\" does not exist"],
     "auth": {"client_token": "hvs.child", "accessor": "acc-1", "policies": ["default", "web"],
              "token_policies": ["default", "web"], "metadata": {"user": "armon"}, "lease_duration": 3600,
              "renewable": true, "entity_id": "", "token_type": "service", "orphan": false, "num_uses": 0}}
    """

private let lookupSelf = """
    {"data": {"accessor": "acc-root", "creation_time": 1700000000, "creation_ttl": 0, "display_name": "root",
     "entity_id": "", "expire_time": null, "explicit_max_ttl": 0, "id": "hvs.root", "meta": null, "num_uses": 0,
     "orphan": true, "path": "auth/token/root", "policies": ["root"], "ttl": 0, "type": "service"}}
    """

@Suite("token commands")
struct TokenCommandTests {
    @Test func createPrintsTheAuthTableAndWarnings() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "auth/token/create", json: createdToken)
        #expect(await cli.run(
            "token", "create", "-policy=default", "-policy", "web", "-ttl=1h", "-metadata=user=armon",
            "-display-name=ci", "-use-limit=3") == 0)
        #expect(cli.transport.routes == ["POST auth/token/create"])
        #expect(cli.transport.requests[0].json == [
            "policies": ["default", "web"], "meta": ["user": "armon"], "ttl": "1h0m0s", "display_name": "ci",
            "num_uses": 3, "renewable": true, "type": "service",
        ])
        #expect(
            cli.out == """
                Key                  Value
                ---                  -----
                token                hvs.child
                token_accessor       acc-1
                token_duration       1h
                token_renewable      true
                token_policies       ["default" "web"]
                identity_policies    []
                policies             ["default" "web"]
                token_meta_user      armon

                """)
        #expect(cli.err == "WARNING! The following warnings were returned from Vault:\n\n  * Policy \"web\" does not exist\n\n")
    }

    @Test func createOrphanBatchWithRoleAndDurations() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "auth/token/create/ci", json: createdToken)
        #expect(await cli.run(
            "token", "create", "-orphan", "-type=batch", "-role=ci", "-explicit-max-ttl=2h", "-period=30m",
            "-no-default-policy") == 0)
        #expect(cli.transport.routes == ["POST auth/token/create/ci"])
        #expect(cli.transport.requests[0].json == [
            "no_parent": true, "no_default_policy": true, "type": "batch", "renewable": false,
            "explicit_max_ttl": "2h0m0s", "period": "30m0s", "display_name": "", "num_uses": 0,
        ])
    }

    @Test func createFieldAndJSON() async throws {
        let field = CLIHarness()
        field.transport.on("POST", "auth/token/create", json: createdToken)
        #expect(await field.run("token", "create", "-field=token") == 0)
        #expect(field.out == "hvs.child")

        let json = CLIHarness()
        json.transport.on("POST", "auth/token/create", json: createdToken)
        #expect(await json.run("token", "create", "-format=json") == 0)
        let parsed = try JSONParser.parse(Array(json.out.utf8))
        #expect(parsed["auth"]?["client_token"] == "hvs.child")
    }

    @Test func createErrors() async {
        let denied = CLIHarness()
        denied.transport.on("POST", "auth/token/create", status: 400, json: #"{"errors": ["child policies must be subset of parent"]}"#)
        #expect(await denied.run("token", "create", "-policy=admin") == 2)
        #expect(denied.err.hasPrefix("Error creating token: Error making API request."))

        let badTTL = CLIHarness()
        #expect(await badTTL.run("token", "create", "-ttl=1y") == 1)
        #expect(badTTL.err == "invalid value \"1y\" for flag -ttl: time: invalid duration \"1y\"\n")
        #expect(badTTL.transport.requests.isEmpty)

        let extra = CLIHarness()
        #expect(await extra.run("token", "create", "oops") == 1)
        #expect(extra.err == "Too many arguments (expected 0, got 1)\n")
    }

    @Test func lookupSelfTokenAndAccessor() async {
        let me = CLIHarness()
        me.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await me.run("token", "lookup") == 0)
        #expect(me.transport.routes == ["GET auth/token/lookup-self"])
        #expect(me.out.contains("\ncreation_ttl        0s\n"))
        #expect(me.out.contains("\nexpire_time         <nil>\n"))
        #expect(me.out.contains("\npolicies            [root]\n"))

        let other = CLIHarness()
        other.transport.on("POST", "auth/token/lookup", json: lookupSelf)
        #expect(await other.run("token", "lookup", "hvs.other") == 0)
        #expect(other.transport.requests[0].json == ["token": "hvs.other"])

        let accessor = CLIHarness()
        accessor.transport.on("POST", "auth/token/lookup-accessor", json: lookupSelf)
        #expect(await accessor.run("token", "lookup", "-accessor", "acc-1") == 0)
        #expect(accessor.transport.requests[0].json == ["accessor": "acc-1"])
    }

    @Test func lookupErrors() async {
        let bad = CLIHarness()
        bad.transport.on("POST", "auth/token/lookup", status: 403, json: #"{"errors": ["bad token"]}"#)
        #expect(await bad.run("token", "lookup", "hvs.gone") == 2)
        #expect(bad.err.hasPrefix("Error looking up token: Error making API request."))

        let noAccessor = CLIHarness()
        #expect(await noAccessor.run("token", "lookup", "-accessor") == 1)
        #expect(noAccessor.err == "Not enough arguments with -accessor (expected 1, got 0)\n")
    }

    @Test func renew() async {
        let me = CLIHarness()
        me.transport.on("PUT", "auth/token/renew-self", json: createdToken)
        #expect(await me.run("token", "renew", "-increment=30m") == 0)
        #expect(me.transport.routes == ["PUT auth/token/renew-self"])
        #expect(me.transport.requests[0].json == ["increment": 1800])
        #expect(me.out.contains("token_duration       1h\n"))

        let other = CLIHarness()
        other.transport.on("PUT", "auth/token/renew", json: createdToken)
        #expect(await other.run("token", "renew", "-i", "60", "hvs.child") == 0)
        #expect(other.transport.requests[0].json == ["token": "hvs.child", "increment": 60])

        let accessor = CLIHarness()
        accessor.transport.on("POST", "auth/token/renew-accessor", json: createdToken)
        #expect(await accessor.run("token", "renew", "-accessor", "acc-1") == 0)
        #expect(accessor.transport.requests[0].json == ["accessor": "acc-1", "increment": 0])
    }

    @Test func revokeModes() async {
        let cases: [(arguments: [String], route: String, body: JSONValue?)] = [
            (["hvs.child"], "PUT auth/token/revoke", ["token": "hvs.child"]),
            (["-mode=orphan", "hvs.child"], "PUT auth/token/revoke-orphan", ["token": "hvs.child"]),
            (["-accessor", "acc-1"], "POST auth/token/revoke-accessor", ["accessor": "acc-1"]),
            (["-mode=path", "auth/github/"], "PUT sys/leases/revoke-prefix/auth/github/", nil),
            (["-self"], "PUT auth/token/revoke-self", nil),
        ]
        for (arguments, route, body) in cases {
            let cli = CLIHarness()
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            cli.transport.on(parts[0], parts[1], status: 204)
            #expect(await cli.run(["token", "revoke"] + arguments) == 0, "\(arguments)")
            #expect(cli.transport.routes == [route])
            #expect(cli.transport.requests.first?.json == body)
            #expect(cli.out == "Success! Revoked token (if it existed)\n")
        }
    }

    @Test func revokeRefusesConflictingFlags() async {
        let cases: [([String], String)] = [
            (["-mode=all", "x"], "Invalid mode: all"),
            (["-self", "x"], "Too many arguments with -self (expected 0, got 1)"),
            ([], "Not enough arguments (expected 1 or -self, got 0)"),
            (["a", "b"], "Too many arguments (expected 1 or -self, got 2)"),
            (["-self", "-accessor"], "Cannot use -self with -accessor!"),
            (["-self", "-mode=orphan"], "Cannot use -self with -mode!"),
            (["-accessor", "-mode=path", "x"], "Cannot use -accessor with -mode=path!"),
        ]
        for (arguments, message) in cases {
            let cli = CLIHarness()
            #expect(await cli.run(["token", "revoke"] + arguments) == 1)
            #expect(cli.err == message + "\n")
            #expect(cli.transport.requests.isEmpty)
        }
    }

    @Test func capabilities() async throws {
        let me = CLIHarness()
        me.transport.on("POST", "sys/capabilities-self", json: """
            {"capabilities": ["update", "read"], "secret/foo": ["update", "read"],
             "data": {"capabilities": ["update", "read"], "secret/foo": ["update", "read"]}}
            """)
        #expect(await me.run("token", "capabilities", "secret/foo") == 0)
        #expect(me.transport.requests[0].json == ["paths": ["secret/foo"]])
        #expect(me.out == "read, update\n")

        let other = CLIHarness()
        other.transport.on("POST", "sys/capabilities", json: #"{"data": {"secret/foo": ["deny"]}}"#)
        #expect(await other.run("token", "capabilities", "-format=json", "hvs.x", "secret/foo") == 0)
        #expect(other.transport.requests[0].json == ["token": "hvs.x", "paths": ["secret/foo"]])
        #expect(try JSONParser.parse(Array(other.out.utf8)) == ["deny"])

        let none = CLIHarness()
        none.transport.on("POST", "sys/capabilities-self", json: #"{"data": {}}"#)
        #expect(await none.run("token", "capabilities", "secret/foo") == 1)
        #expect(none.err == "No capabilities found\n")

        let arguments = CLIHarness()
        #expect(await arguments.run("token", "capabilities") == 1)
        #expect(arguments.err == "Not enough arguments (expected 1-2, got 0)\n")
    }
}
