import AsyncHTTPClient
import NIOCore
import NIOSSL

/// The production transport: one AsyncHTTPClient `HTTPClient` (one connection pool) on the
/// shared event loop group, TLS from the configuration, redirects followed (a standby
/// answers 307 to the active node), a 10 s connect timeout, no re-dialling after a refused
/// connection.
final class HTTPClientTransport: VaultTransport {
    private let client: HTTPClient
    private let address: VaultAddress

    init(configuration: VaultClientConfiguration) throws(VaultClientError) {
        address = try VaultAddress(parsing: configuration.address)
        var tls = TLSConfiguration.makeClientConfiguration()
        if configuration.tlsSkipVerify {
            tls.certificateVerification = .none
        }
        if let caFile = configuration.caCertificateFile, !caFile.isEmpty {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw VaultClientError(
                    .invalidConfiguration, "Error loading CA File: \(caFile): \(TransportErrorText.describe(error))",
                    cause: error)
            }
            guard !certificates.isEmpty else {
                throw VaultClientError(.invalidConfiguration, "Error loading CA File: \(caFile): no certificates found")
            }
            tls.trustRoots = .certificates(certificates)
        }
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(10))
        )
        httpConfiguration.httpVersion = .automatic
        // Fail at once when nothing listens, as Go's client does, instead of re-dialling with
        // backoff until the connect timeout: `coffer status` against a stopped server must
        // answer "connection refused" immediately.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    }

    func execute(_ request: VaultHTTPRequest, timeout: Duration, maxResponseBytes: Int) async throws -> VaultHTTPResponse {
        var httpRequest = HTTPClientRequest(url: request.url)
        httpRequest.method = .init(rawValue: request.method)
        for (name, value) in request.headers {
            httpRequest.headers.add(name: name, value: value)
        }
        if let body = request.body {
            httpRequest.body = .bytes(ByteBuffer(bytes: body))
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(httpRequest, timeout: .nanoseconds(nanoseconds))
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return VaultHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer.readableBytesView)
            )
        } catch is NIOTooManyBytesError {
            throw VaultClientError(
                .responseTooLarge,
                "\(TransportErrorText.goMethod(request.method)) \"\(request.url)\": response body larger than \(maxResponseBytes) bytes")
        } catch let error as VaultClientError {
            throw error
        } catch {
            throw TransportErrorText.clientError(for: error, method: request.method, url: request.url, address: address)
        }
    }

    func shutdown() async throws {
        try await client.shutdown()
    }
}
