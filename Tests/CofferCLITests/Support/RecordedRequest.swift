import CofferClient
import CofferJSON

extension VaultHTTPRequest {
    /// The path below `/v1/`, without the query: `secret/data/foo`.
    var apiPath: String { FakeTransport.apiPath(of: url) }

    /// `METHOD path`, the shape the tests compare request sequences in.
    var route: String { "\(method) \(apiPath)" }

    /// The query string after `?`, or "".
    var query: String {
        guard let mark = url.firstIndex(of: "?") else { return "" }
        return String(url[url.index(after: mark)...])
    }

    /// The body parsed as JSON; nil without a body.
    var json: JSONValue? {
        guard let body else { return nil }
        return try? JSONParser.parse(body)
    }
}

extension FakeTransport {
    /// Every request as `METHOD path`, in order.
    var routes: [String] { requests.map(\.route) }
}

/// Preflight answers (`sys/internal/ui/mounts/<path>`).
enum Preflight {
    static func kv2(_ mount: String = "secret/") -> String {
        #"{"data": {"path": "\#(mount)", "type": "kv", "options": {"version": "2"}, "accessor": "kv_1"}}"#
    }

    static func kv1(_ mount: String = "kv1/") -> String {
        #"{"data": {"path": "\#(mount)", "type": "kv", "options": {"version": "1"}, "accessor": "kv_2"}}"#
    }
}
