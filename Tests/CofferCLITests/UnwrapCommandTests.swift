import CofferClient
import CofferJSON
import Testing

private let unwrappedSecret = """
    {"request_id": "r", "lease_id": "", "renewable": false, "lease_duration": 2764800, "data": {"zip": "zap"},
     "wrap_info": null, "warnings": null, "auth": null}
    """

@Suite("unwrap")
struct UnwrapCommandTests {
    @Test func thirdPartyUnwrapSendsTheTokenInTheBody() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/wrapping/unwrap", json: unwrappedSecret)
        #expect(await cli.run("unwrap", "hvs.wrapping") == 0)
        #expect(cli.transport.routes == ["PUT sys/wrapping/unwrap"])
        #expect(cli.transport.requests[0].header("X-Vault-Token") == "s.test-token")
        #expect(cli.transport.requests[0].json == ["token": "hvs.wrapping"])
        #expect(
            cli.out == """
                Key                 Value
                ---                 -----
                refresh_interval    768h
                zip                 zap

                """)
    }

    @Test func withoutAnArgumentTheCurrentTokenIsTheWrappingToken() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/wrapping/unwrap", json: unwrappedSecret)
        #expect(await cli.run("unwrap", "-field=zip") == 0)
        #expect(cli.transport.requests[0].header("X-Vault-Token") == "s.test-token")
        #expect(cli.transport.requests[0].body == nil, "never in both places")
        #expect(cli.out == "zap")

        let same = CLIHarness()
        same.transport.on("PUT", "sys/wrapping/unwrap", json: unwrappedSecret)
        #expect(await same.run("unwrap", "s.test-token") == 0)
        #expect(same.transport.requests[0].body == nil, "the client's own token is not repeated in the body")
    }

    @Test func withoutAClientTokenTheArgumentAuthenticates() async {
        let cli = CLIHarness(environment: ["VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_MAX_RETRIES": "0"])
        cli.transport.on("PUT", "sys/wrapping/unwrap", json: unwrappedSecret)
        #expect(await cli.run("unwrap", "-format=json", "hvs.wrapping") == 0)
        #expect(cli.transport.requests[0].header("X-Vault-Token") == "hvs.wrapping")
        #expect(cli.transport.requests[0].body == nil)
        #expect(cli.out.contains("\"zip\": \"zap\""))
    }

    @Test func aWrappedListingPrintsAsKeys() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/wrapping/unwrap", json: #"{"data": {"keys": ["b", "a/"]}}"#)
        #expect(await cli.run("unwrap", "hvs.w") == 0)
        #expect(cli.out == "Keys\n----\na/\nb\n")
    }

    @Test func aWrappedTokenPrintsItsAuthBlock() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/wrapping/unwrap", json: """
            {"auth": {"client_token": "hvs.inner", "accessor": "acc", "policies": ["default"],
             "token_policies": ["default"], "lease_duration": 3600, "renewable": true}}
            """)
        #expect(await cli.run("unwrap", "hvs.w") == 0)
        #expect(cli.out.contains("token                hvs.inner\n"))
        #expect(cli.out.contains("token_duration       1h\n"))
    }

    @Test func emptyWrappedResponse() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/wrapping/unwrap", status: 204)
        #expect(await cli.run("unwrap", "hvs.w") == 0)
        #expect(cli.out == "Successfully unwrapped. There was no data in the wrapped secret.\n")

        let json = CLIHarness()
        json.transport.on("PUT", "sys/wrapping/unwrap", status: 204)
        #expect(await json.run("unwrap", "-format=json", "hvs.w") == 0)
        #expect(json.out == "")
    }

    @Test func aWrapped404WithDataIsShown() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/wrapping/unwrap", status: 404, json: #"{"data": {"k": "v"}, "errors": []}"#)
        #expect(await cli.run("unwrap", "hvs.w") == 0)
        #expect(cli.out.contains("k      v"))
    }

    @Test func errors() async {
        let spent = CLIHarness()
        spent.transport.on("PUT", "sys/wrapping/unwrap", status: 400, json: #"{"errors": ["wrapping token is not valid or does not exist"]}"#)
        #expect(await spent.run("unwrap", "hvs.spent") == 2)
        #expect(spent.err.hasPrefix("Error unwrapping: Error making API request."))
        #expect(spent.err.contains("* wrapping token is not valid or does not exist"))
        #expect(!spent.err.contains("hvs.spent"), "the token is never echoed")

        let notFound = CLIHarness()
        notFound.transport.on("PUT", "sys/wrapping/unwrap", status: 404, json: #"{"errors": []}"#)
        #expect(await notFound.run("unwrap", "hvs.w") == 2)
        #expect(notFound.err.hasPrefix("Error unwrapping: Error making API request."))

        let many = CLIHarness()
        #expect(await many.run("unwrap", "a", "b") == 1)
        #expect(many.err == "Too many arguments (expected 0-1, got 2)\n")
        #expect(many.transport.requests.isEmpty)
    }
}
