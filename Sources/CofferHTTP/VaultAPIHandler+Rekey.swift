import CofferCore
import CofferJSON
import CofferLogical
import Foundation
import HTTPTypes
import HummingbirdCore

/// `sys/rekey/init`, `/update`, `/verify` and `/backup` (vault-core-api.md §5, "Rekey").
/// Unauthenticated as in Vault (the current key shares are the authority), except
/// `backup`, which needs a root or `sudo` token. The server must be unsealed.
extension VaultAPIHandler {
    /// `GET` status, `PUT`/`POST` start, `DELETE` cancel (204).
    func rekeyInit(_ request: HummingbirdCore.Request) async throws -> Reply {
        switch request.method {
        case .get, .head:
            return Reply(status: .ok, body: Self.rekeyStatusBody(try await core.rekeyStatus()))
        case .put, .post:
            let body = try RequestParsing.body(try await readBody(request), contentType: request.headers[.contentType])
            if let keys = body["pgp_keys"], !(keys.isNull || keys.arrayValue?.isEmpty == true) {
                throw LogicalError.invalidRequest("pgp_keys is not supported: PGP-encrypted key shares are not implemented")
            }
            if try Self.optionalBool(body, "backup") == true {
                throw LogicalError.invalidRequest(
                    "cannot request a backup of the new keys without providing PGP keys for encryption")
            }
            if let stored = try Self.intField(body, "stored_shares"), stored > 1 {
                throw LogicalError.invalidRequest("stored_shares is not supported with a Shamir seal")
            }
            guard let shares = try Self.intField(body, "secret_shares"),
                let threshold = try Self.intField(body, "secret_threshold")
            else {
                throw LogicalError.invalidRequest("secret_shares and secret_threshold are required")
            }
            let verify = try Self.optionalBool(body, "require_verification") ?? false
            let status = try await core.startRekey(shares: shares, threshold: threshold, requireVerification: verify)
            return Reply(status: .ok, body: Self.rekeyStatusBody(status))
        case .delete:
            try await core.cancelRekey()
            return Reply(status: .noContent, body: nil)
        default:
            return Self.methodNotAllowed
        }
    }

    /// `PUT`/`POST` one current key share with the rekey nonce. Below the threshold the
    /// answer is the status; at it, the new keys.
    func rekeyUpdate(_ request: HummingbirdCore.Request) async throws -> Reply {
        guard request.method == .put || request.method == .post else { return Self.methodNotAllowed }
        let (share, nonce) = try await keyShareRequest(request)
        switch try await core.updateRekey(share: share, nonce: nonce) {
        case .progress(let status):
            return Reply(status: .ok, body: Self.rekeyStatusBody(status))
        case .complete(let result):
            var body: [String: JSONValue] = [
                "nonce": .string(result.nonce),
                "complete": true,
                "keys": .array(result.keys.map { .string(Self.hex($0)) }),
                "keys_base64": .array(result.keys.map { .string(Data($0).base64EncodedString()) }),
                "pgp_fingerprints": nil,
                "backup": false,
                "verification_required": .bool(result.verificationRequired),
            ]
            if !result.verificationNonce.isEmpty { body["verification_nonce"] = .string(result.verificationNonce) }
            return Reply(status: .ok, body: .object(body))
        }
    }

    /// `GET` verification status, `PUT`/`POST` one new key share, `DELETE` restart the
    /// verification (answers the status with its new nonce).
    func rekeyVerify(_ request: HummingbirdCore.Request) async throws -> Reply {
        switch request.method {
        case .get, .head:
            return Reply(status: .ok, body: Self.verificationBody(try await core.rekeyVerificationStatus()))
        case .put, .post:
            let (share, nonce) = try await keyShareRequest(request)
            switch try await core.verifyRekey(share: share, nonce: nonce) {
            case .progress(let status):
                return Reply(status: .ok, body: Self.verificationBody(status))
            case .complete(let nonce):
                return Reply(status: .ok, body: ["nonce": .string(nonce), "complete": true])
            }
        case .delete:
            return Reply(status: .ok, body: Self.verificationBody(try await core.restartRekeyVerification()))
        default:
            return Self.methodNotAllowed
        }
    }

    /// `GET`/`DELETE sys/rekey/backup`: Coffer never stores backups (they exist only for
    /// PGP-encrypted shares), so a read is Vault's 400 and a delete succeeds. Needs `sudo`.
    func rekeyBackup(_ request: HummingbirdCore.Request) async throws -> Reply {
        let method = request.method
        guard method == .get || method == .head || method == .delete else { return Self.methodNotAllowed }
        try await core.authorizeRekeyBackup(clientToken: clientToken(request))
        if method == .delete { return Reply(status: .noContent, body: nil) }
        throw LogicalError.invalidRequest("no backed-up keys found")
    }

    /// Vault's `RekeyStatusResponse`; `verification_nonce` only when set.
    static func rekeyStatusBody(_ status: RekeyStatus) -> JSONValue {
        var body: [String: JSONValue] = [
            "started": .bool(status.started),
            "nonce": .string(status.nonce),
            "t": .int(Int64(status.newThreshold)),
            "n": .int(Int64(status.newShares)),
            "progress": .int(Int64(status.progress)),
            "required": .int(Int64(status.required)),
            "pgp_fingerprints": nil,
            "backup": false,
            "verification_required": .bool(status.verificationRequired),
        ]
        if !status.verificationNonce.isEmpty { body["verification_nonce"] = .string(status.verificationNonce) }
        return .object(body)
    }

    static func verificationBody(_ status: RekeyVerificationStatus) -> JSONValue {
        [
            "started": .bool(status.started),
            "nonce": .string(status.nonce),
            "t": .int(Int64(status.newThreshold)),
            "n": .int(Int64(status.newShares)),
            "progress": .int(Int64(status.progress)),
        ]
    }
}
