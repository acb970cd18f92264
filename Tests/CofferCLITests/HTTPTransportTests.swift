import CofferClient
import CofferJSON
import Testing

@Suite("AsyncHTTPClient transport on loopback")
struct HTTPTransportTests {
    @Test func connectionRefusedReadsLikeGo() async throws {
        let port = try OneShotHTTPServer.closedPort()
        let client = try VaultClient(configuration: VaultClientConfiguration(address: "http://127.0.0.1:\(port)", timeout: .seconds(10)))
        let error = await #expect(throws: VaultClientError.self) { try await client.sealStatus() }
        try await client.shutdown()
        #expect(error?.code == .connectionFailed)
        #expect(
            error?.message
                == "Get \"http://127.0.0.1:\(port)/v1/sys/seal-status\": dial tcp 127.0.0.1:\(port): connect: connection refused")
    }

    @Test func listRequestOverTheWire() async throws {
        let server = try OneShotHTTPServer(status: 200, reason: "OK", body: #"{"data": {"keys": ["a", "b/"]}}"#)
        let client = try VaultClient(configuration: VaultClientConfiguration(address: "http://127.0.0.1:\(server.port)", token: "s.wire"))
        let secret = try await client.list("secret")
        try await client.shutdown()
        #expect(secret?.data?["keys"] == ["a", "b/"])
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("LIST /v1/secret/ HTTP/1.1\r\n"))
        #expect(request.lowercased().contains("x-vault-token: s.wire\r\n"))
        #expect(request.lowercased().contains("x-vault-request: true\r\n"))
    }

    @Test func writeBodyAndErrorStatusOverTheWire() async throws {
        let server = try OneShotHTTPServer(status: 403, reason: "Forbidden", body: #"{"errors":["permission denied"]}"#)
        let client = try VaultClient(configuration: VaultClientConfiguration(address: "http://127.0.0.1:\(server.port)"))
        let error = await #expect(throws: VaultAPIError.self) { try await client.write("secret/foo", data: ["a": "b"]) }
        try await client.shutdown()
        #expect(
            error?.description
                == "Error making API request.\n\nURL: PUT http://127.0.0.1:\(server.port)/v1/secret/foo\nCode: 403. Errors:\n\n* permission denied")
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("PUT /v1/secret/foo HTTP/1.1\r\n"))
        #expect(request.hasSuffix("\r\n\r\n{\"a\":\"b\"}"))
    }

    @Test func unreadableCAFileIsAConfigurationError() {
        #expect {
            _ = try VaultClient(configuration: VaultClientConfiguration(
                address: "https://127.0.0.1:8200", caCertificateFile: "/nonexistent/ca.pem"))
        } throws: { error in
            (error as? VaultClientError)?.code == .invalidConfiguration
        }
    }
}

@Suite("AsyncHTTPClient transport errors")
struct HTTPTransportErrorTests {
    @Test func httpsAgainstAPlainHTTPServer() async throws {
        let server = try OneShotHTTPServer(
            status: 400, reason: "Bad Request", body: "Client sent an HTTP request to an HTTPS server.",
            answerBeforeReading: true)
        let client = try VaultClient(configuration: VaultClientConfiguration(address: "https://127.0.0.1:\(server.port)"))
        let error = await #expect(throws: VaultClientError.self) { try await client.sealStatus() }
        try await client.shutdown()
        #expect(error?.code == .tls)
        #expect(error?.message.hasPrefix("Get \"https://127.0.0.1:\(server.port)/v1/sys/seal-status\": tls: ") == true)
    }

    @Test func unknownHost() async throws {
        let client = try VaultClient(configuration: VaultClientConfiguration(address: "http://coffer-test.invalid:8200"))
        let error = await #expect(throws: VaultClientError.self) { try await client.sealStatus() }
        try await client.shutdown()
        #expect(error?.code == .connectionFailed)
        #expect(error?.message == "Get \"http://coffer-test.invalid:8200/v1/sys/seal-status\": dial tcp: lookup coffer-test.invalid: no such host")
    }
}
