import CofferCore
import CofferJSON
import CofferLogical
import HTTPTypes
import HummingbirdCore

/// `sys/generate-root/attempt` and `/update` (vault-core-api.md §5): unauthenticated, as in
/// Vault (the key shares are the authority); bare JSON objects; the server must be unsealed.
extension VaultAPIHandler {
    /// `GET` status, `PUT`/`POST` start (`otp`, `pgp_key`), `DELETE` cancel (204).
    func generateRootAttempt(_ request: HummingbirdCore.Request) async throws -> Reply {
        switch request.method {
        case .get, .head:
            return Reply(status: .ok, body: Self.rootGenerationBody(try await core.rootGenerationStatus()))
        case .put, .post:
            let body = try RequestParsing.body(try await readBody(request), contentType: request.headers[.contentType])
            let otp = try Self.optionalString(body, "otp")
            let pgpKey = try Self.optionalString(body, "pgp_key")
            let status = try await core.startRootGeneration(otp: otp, pgpKey: pgpKey)
            return Reply(status: .ok, body: Self.rootGenerationBody(status))
        case .delete:
            try await core.cancelRootGeneration()
            return Reply(status: .noContent, body: nil)
        default:
            return Self.methodNotAllowed
        }
    }

    /// `PUT`/`POST` one key share with the attempt's nonce.
    func generateRootUpdate(_ request: HummingbirdCore.Request) async throws -> Reply {
        guard request.method == .put || request.method == .post else { return Self.methodNotAllowed }
        let (share, nonce) = try await keyShareRequest(request)
        let status = try await core.updateRootGeneration(share: share, nonce: nonce)
        return Reply(status: .ok, body: Self.rootGenerationBody(status))
    }

    /// Vault's `GenerateRootStatusResponse`: every member always present. The token is in
    /// both `encoded_token` and `encoded_root_token` (hvac reads the latter).
    static func rootGenerationBody(_ status: RootGenerationStatus) -> JSONValue {
        [
            "started": .bool(status.started),
            "nonce": .string(status.nonce),
            "progress": .int(Int64(status.progress)),
            "required": .int(Int64(status.required)),
            "complete": .bool(status.complete),
            "encoded_token": .string(status.encodedToken),
            "encoded_root_token": .string(status.encodedToken),
            "pgp_fingerprint": "",
            "otp": .string(status.otp),
            "otp_length": .int(Int64(status.otpLength)),
        ]
    }

    // MARK: shared by generate-root and rekey

    /// The `key` (hex or base64 share, decoded) and `nonce` of an update request. A missing
    /// nonce is the empty string, which never matches an attempt's nonce.
    func keyShareRequest(_ request: HummingbirdCore.Request) async throws -> (share: [UInt8], nonce: String) {
        let body = try RequestParsing.body(try await readBody(request), contentType: request.headers[.contentType])
        guard let keyValue = body["key"], !keyValue.isNull, keyValue.stringValue != "" else {
            throw LogicalError.invalidRequest("'key' must be specified in request body as JSON")
        }
        guard let keyText = keyValue.stringValue, let share = UnsealKeyText.decode(keyText) else {
            throw LogicalError.invalidRequest("'key' must be a valid hex or base64 string")
        }
        let nonce = try Self.optionalString(body, "nonce") ?? ""
        return (share, nonce)
    }

    /// An optional string member; null counts as absent, another type is a 400.
    static func optionalString(_ body: [String: JSONValue], _ name: String) throws -> String? {
        guard let value = body[name], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw LogicalError.invalidRequest("'\(name)' must be a string") }
        return text
    }

    /// An optional boolean member: JSON booleans, or the strings Go's `ParseBool` accepts.
    static func optionalBool(_ body: [String: JSONValue], _ name: String) throws -> Bool? {
        guard let value = body[name], !value.isNull else { return nil }
        if let flag = value.boolValue ?? value.stringValue.flatMap(RequestParsing.parseBool) { return flag }
        throw LogicalError.invalidRequest("'\(name)' must be a boolean")
    }
}
