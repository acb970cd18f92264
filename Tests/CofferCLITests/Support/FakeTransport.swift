import CofferClient
import Synchronization

/// A scripted server: answers by method and API path (below `/v1/`), records every request.
final class FakeTransport: VaultTransport {
    struct Reply: Sendable {
        var status: Int
        var body: String
        var headers: [(String, String)] = [("Content-Type", "application/json")]
    }

    private struct State {
        var replies: [String: [Reply]] = [:]
        var requests: [VaultHTTPRequest] = []
        var failure: VaultClientError?
        var shutdowns = 0
    }

    private let state = Mutex(State())

    /// Queues a reply for `METHOD path`; the last reply for a route repeats.
    func on(_ method: String, _ path: String, status: Int = 200, json: String = "") {
        state.withLock { $0.replies["\(method) \(path)", default: []].append(Reply(status: status, body: json)) }
    }

    /// Every request fails with this error instead (a transport failure).
    func fail(with error: VaultClientError) {
        state.withLock { $0.failure = error }
    }

    var requests: [VaultHTTPRequest] { state.withLock { $0.requests } }
    var shutdowns: Int { state.withLock { $0.shutdowns } }

    func execute(_ request: VaultHTTPRequest, timeout: Duration, maxResponseBytes: Int) async throws -> VaultHTTPResponse {
        let reply: Reply? = try state.withLock { state in
            state.requests.append(request)
            if let failure = state.failure { throw failure }
            let key = "\(request.method) \(FakeTransport.apiPath(of: request.url))"
            guard var queue = state.replies[key], !queue.isEmpty else { return nil }
            let next = queue.count > 1 ? queue.removeFirst() : queue[0]
            state.replies[key] = queue
            return next
        }
        guard let reply else {
            return VaultHTTPResponse(
                status: 404, headers: [("Content-Type", "application/json")], body: Array(#"{"errors":[]}"#.utf8))
        }
        return VaultHTTPResponse(status: reply.status, headers: reply.headers, body: Array(reply.body.utf8))
    }

    func shutdown() async throws {
        state.withLock { $0.shutdowns += 1 }
    }

    /// `http://host:port/v1/secret/foo?x=y` → `secret/foo`.
    static func apiPath(of url: String) -> String {
        guard let range = url.firstRange(of: "/v1/") else { return url }
        let rest = url[range.upperBound...]
        return String(rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
