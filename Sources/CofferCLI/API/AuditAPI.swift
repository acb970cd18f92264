import CofferClient
import CofferJSON

/// Audit devices (`sys/audit`), as `vault audit` calls them.
enum AuditAPI {
    /// `GET sys/audit`: the envelope (a wrapped answer under `-wrap-ttl`). Read the devices
    /// with ``devices(in:)``.
    static func list(_ client: VaultClient) async throws -> VaultSecret {
        let response = try await client.request("GET", "sys/audit")
        guard let secret = try APIAnswer.secret(response) else {
            throw VaultClientError(.invalidResponse, "data from server response is empty")
        }
        return secret
    }

    /// The devices of a `GET sys/audit` answer, keyed by path with its trailing slash. An
    /// empty `data` is no devices, not an error.
    static func devices(in secret: VaultSecret) throws(VaultClientError) -> [String: AuditDevice] {
        if let data = secret.data, data.isEmpty { return [:] }
        return try APIAnswer.listing(secret).mapValues { AuditDevice(json: $0) }
    }

    /// `PUT sys/audit/<path>` with `{"type", "description", "options", "local"}`. Answers 204.
    static func enable(_ client: VaultClient, at path: String, _ device: AuditDevice) async throws {
        _ = try await client.request("PUT", "sys/audit/" + path.sanitizedAPIPath, body: device.enableBody)
    }

    /// `DELETE sys/audit/<path>`; succeeds when no device is enabled there.
    static func disable(_ client: VaultClient, at path: String) async throws {
        _ = try await client.request("DELETE", "sys/audit/" + path.sanitizedAPIPath)
    }
}

/// One audit device, as `GET sys/audit` lists it and `PUT sys/audit/<path>` takes it (the Go
/// client's `Audit` and `EnableAuditOptions`). Options are strings, as Vault stores them.
struct AuditDevice: Sendable, Equatable {
    var type: String
    var description: String
    var options: [String: String]?
    var local: Bool
    /// The path the server reports (`file/`); "" in an enable request.
    var path: String

    init(type: String, description: String = "", options: [String: String]?, local: Bool = false, path: String = "") {
        self.type = type
        self.description = description
        self.options = options
        self.local = local
        self.path = path
    }

    /// Reads a listing entry; absent fields are zero values, non-string options their `%v` text.
    init(json: JSONValue) {
        type = json["type"]?.stringValue ?? ""
        description = json["description"]?.stringValue ?? ""
        options = json["options"]?.objectValue?.mapValues { value in
            value.stringValue ?? GoValueFormatter.format(value)
        }
        local = json["local"]?.boolValue ?? false
        path = json["path"]?.stringValue ?? ""
    }

    /// The entry as `vault audit list -format=json` prints it: exactly the Go struct's fields.
    var json: JSONValue {
        [
            "type": .string(type), "description": .string(description),
            "options": options.map { JSONValue($0) } ?? .null, "local": .bool(local), "path": .string(path),
        ]
    }

    /// The `PUT sys/audit/<path>` body.
    var enableBody: JSONValue {
        [
            "type": .string(type), "description": .string(description),
            "options": options.map { JSONValue($0) } ?? .null, "local": .bool(local),
        ]
    }
}
