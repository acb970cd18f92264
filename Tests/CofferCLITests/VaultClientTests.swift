import CofferJSON
@testable import CofferClient
import Testing

@Suite("VaultClient over a fake transport")
struct VaultClientTests {
    let transport = FakeTransport()

    private func client(_ configuration: VaultClientConfiguration = VaultClientConfiguration(
        address: "http://127.0.0.1:8200", token: "s.tok")) throws -> VaultClient {
        try VaultClient(configuration: configuration, transport: transport)
    }

    @Test func standardHeadersAndBody() async throws {
        transport.on("PUT", "secret/foo", status: 204)
        let configuration = VaultClientConfiguration(
            address: "http://127.0.0.1:8200/", token: "s.tok", namespace: "ns1/", wrapTTL: "5m")
        let secret = try await client(configuration).write("secret/foo", data: ["a": "b", "n": 1])
        #expect(secret == nil)
        let request = try #require(transport.requests.first)
        #expect(request.method == "PUT")
        #expect(request.url == "http://127.0.0.1:8200/v1/secret/foo")
        #expect(request.header("x-vault-token") == "s.tok")
        #expect(request.header("X-Vault-Request") == "true")
        #expect(request.header("X-Vault-Namespace") == "ns1/")
        #expect(request.header("X-Vault-Wrap-TTL") == "5m")
        #expect(request.header("Content-Type") == "application/json")
        #expect(try JSONParser.parse(request.body ?? []) == ["a": "b", "n": 1])
        #expect(!request.description.contains("s.tok"))
    }

    @Test func noTokenNoHeader() async throws {
        transport.on("GET", "sys/seal-status", json: #"{"sealed": true, "t": 3, "n": 5, "progress": 1, "type": "shamir"}"#)
        let status = try await client(VaultClientConfiguration(address: "http://h:8200")).sealStatus()
        #expect(status.sealed && status.threshold == 3 && status.shares == 5 && status.progress == 1)
        #expect(transport.requests.first?.header("X-Vault-Token") == nil)
        #expect(transport.requests.first?.body == nil)
    }

    @Test func listUsesTheLISTMethodWithATrailingSlash() async throws {
        transport.on("LIST", "secret/", json: #"{"data": {"keys": ["a", "b/"]}}"#)
        let secret = try await client().list("secret")
        #expect(secret?.data?["keys"] == ["a", "b/"])
        #expect(transport.requests.first?.method == "LIST")
        #expect(transport.requests.first?.url == "http://127.0.0.1:8200/v1/secret/")
    }

    @Test func readNotFoundIsNil() async throws {
        #expect(try await client().read("secret/missing") == nil)
    }

    @Test func readNotFoundWithDataIsReturned() async throws {
        transport.on("GET", "kv/data/x", status: 404, json: #"{"data": {"data": null, "metadata": {"deletion_time": "t"}}}"#)
        let secret = try await client().read("kv/data/x")
        #expect(secret?.data?["metadata"]?["deletion_time"] == "t")
    }

    @Test func errorStatusesThrowTheAPIError() async throws {
        transport.on("GET", "secret/foo", status: 403, json: #"{"errors": ["permission denied"]}"#)
        let client = try client()
        let error = await #expect(throws: VaultAPIError.self) { try await client.read("secret/foo") }
        #expect(error?.status == 403)
        #expect(error?.method == "GET")
        #expect(error?.url == "http://127.0.0.1:8200/v1/secret/foo")
        #expect(error?.errors == ["permission denied"])
    }

    @Test func queryAndPathEscaping() async throws {
        transport.on("GET", "secret/a%20b/http:/x", json: #"{"data": {"k": "v"}}"#)
        _ = try await client().read("/secret/a b/http:/x", query: [("version", "2"), ("a b", "c&d")])
        #expect(transport.requests.first?.url == "http://127.0.0.1:8200/v1/secret/a%20b/http:/x?a+b=c%26d&version=2")
    }

    @Test func retriesServerErrorsButNot501() async throws {
        transport.on("GET", "secret/flaky", status: 503, json: #"{"errors": ["Vault is sealed"]}"#)
        transport.on("GET", "secret/flaky", status: 200, json: #"{"data": {"ok": true}}"#)
        let configuration = VaultClientConfiguration(
            address: "http://h:1", maxRetries: 2, retryWait: .milliseconds(1) ... .milliseconds(2))
        let secret = try await client(configuration).read("secret/flaky")
        #expect(secret?.data?["ok"] == true)
        #expect(transport.requests.count == 2)

        transport.on("GET", "sys/nope", status: 501, json: #"{"errors": []}"#)
        _ = try? await client(configuration).read("sys/nope")
        #expect(transport.requests.count == 3, "501 is not retried")
    }

    @Test func retriesStopAfterTheLimit() async throws {
        transport.on("GET", "secret/down", status: 500, json: #"{"errors": ["internal error"]}"#)
        let configuration = VaultClientConfiguration(
            address: "http://h:1", maxRetries: 2, retryWait: .milliseconds(1) ... .milliseconds(1))
        let client = try client(configuration)
        await #expect(throws: VaultAPIError.self) { try await client.read("secret/down") }
        #expect(transport.requests.count == 3)
    }

    @Test func healthAsksForAnswersInEveryState() async throws {
        transport.on("GET", "sys/health", status: 299, json: #"{"initialized": true, "sealed": true, "standby": false}"#)
        let health = try await client().health()
        #expect(health.status == 299 && health.sealed && health.initialized)
        let url = try #require(transport.requests.first?.url)
        for parameter in ["sealedcode=299", "uninitcode=299", "standbycode=299", "performancestandbycode=299"] {
            #expect(url.contains(parameter))
        }
    }

    @Test func initAndUnseal() async throws {
        transport.on("PUT", "sys/init", json: #"{"keys": ["aa"], "keys_base64": ["qg=="], "root_token": "s.root"}"#)
        transport.on("PUT", "sys/unseal", json: #"{"sealed": false, "t": 1, "n": 1, "progress": 0}"#)
        let client = try client()
        let initialized = try await client.initialize(shares: 1, threshold: 1)
        #expect(initialized.keys == ["aa"] && initialized.keysBase64 == ["qg=="] && initialized.rootToken == "s.root")
        #expect(!initialized.description.contains("s.root"))
        #expect(try JSONParser.parse(transport.requests[0].body ?? []) == ["secret_shares": 1, "secret_threshold": 1])
        let status = try await client.unseal(key: "qg==")
        #expect(!status.sealed)
        #expect(try JSONParser.parse(transport.requests[1].body ?? []) == ["key": "qg=="])
        _ = try await client.unsealReset()
        #expect(try JSONParser.parse(transport.requests[2].body ?? []) == ["reset": true])
    }

    @Test func preflight() async throws {
        transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: #"{"data": {"path": "secret/", "type": "kv", "options": {"version": "2"}}}"#)
        let client = try client()
        let mount = try #require(try await client.mountsPreflight("secret/foo"))
        #expect(mount.path == "secret/" && mount.kvVersion == 2)
        #expect(try await client.mountsPreflight("other/x") == nil, "404 means an old server: KV v1")
    }

    @Test func nonJSONSuccessIsAnInvalidResponse() async throws {
        transport.on("GET", "sys/seal-status", json: "<html>")
        let client = try client()
        let error = await #expect(throws: VaultClientError.self) { try await client.sealStatus() }
        #expect(error?.code == .invalidResponse)
    }

    @Test func withTokenSharesTheTransport() async throws {
        transport.on("GET", "auth/token/lookup-self", json: #"{"data": {"id": "x"}}"#)
        let other = try client().withToken("s.other")
        _ = try await other.read("auth/token/lookup-self")
        #expect(transport.requests.first?.header("X-Vault-Token") == "s.other")
        try await other.shutdown()
        #expect(transport.shutdowns == 1)
    }

    @Test(arguments: [
        ("http://127.0.0.1:8200", "http", "127.0.0.1", 8200, ""),
        ("https://vault.example.com", "https", "vault.example.com", 443, ""),
        ("HTTP://h", "http", "h", 80, ""),
        ("http://[::1]:8200/", "http", "[::1]", 8200, ""),
        ("https://h:8443/prefix/", "https", "h", 8443, "/prefix"),
    ])
    func addressParsing(_ text: String, _ scheme: String, _ host: String, _ port: Int, _ base: String) throws {
        let address = try VaultAddress(parsing: text)
        #expect(address.scheme == scheme && address.host == host && address.port == port && address.basePath == base)
    }

    @Test(arguments: ["127.0.0.1:8200", "ftp://h", "http://", "http://h:99999", "http://h:x", "http://u@h"])
    func badAddresses(_ text: String) {
        #expect(throws: VaultClientError.self) { try VaultAddress(parsing: text) }
    }
}
