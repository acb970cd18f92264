import CofferJSON
import CofferLogical
import CofferMetrics

/// `sys/metrics` (read): this server's metrics (``Core/metrics``), answered as Vault does,
/// outside the `data` envelope.
///
/// - no `format`, or an empty one: Vault's JSON (go-metrics' summary: `Timestamp`,
///   `Gauges`, `Counters`, `Samples`, `Points`), `Content-Type: application/json`;
/// - `format=prometheus`: the Prometheus text format 0.0.4,
///   `Content-Type: text/plain; version=0.0.4`;
/// - any other `format`: 400.
///
/// Needs a token whose policies allow `read` on `sys/metrics` (root does); Vault's
/// listener option for unauthenticated metrics access is not offered.
extension SystemBackend {
    static let prometheusContentType = "text/plain; version=0.0.4"
    static let jsonContentType = "application/json"

    func handleMetrics(_ request: Request) async throws -> Response? {
        guard request.operation == .read else { throw LogicalError.unsupportedOperation }
        var response = Response()
        switch try RequestFields(request.data).string("format") ?? "" {
        case "":
            var bytes = JSONWriter.bytes(await core.metrics.vaultJSON())
            bytes.append(UInt8(ascii: "\n"))
            response.rawBody = RawBody(contentType: Self.jsonContentType, bytes: bytes)
        case "prometheus":
            let text = await core.metrics.prometheusText()
            response.rawBody = RawBody(contentType: Self.prometheusContentType, bytes: Array(text.utf8))
        case let other:
            throw LogicalError.invalidRequest("metric response format \"\(other.prefix(32))\" unknown")
        }
        return response
    }
}
