import CofferJSON
import Crypto

/// One lease: a dynamic secret's, or a service token's.
///
/// Lease ids (documented choice):
/// - secrets: `<request path>/<uuid>`, e.g. `database/creds/readonly/2f6a614c-…`, as Vault;
/// - tokens: `<token path>/h<64 hex>`, e.g. `auth/token/create/h5a2d…`, where the hex is
///   SHA-256 over a domain tag and the token's salted id. The salted id itself (the key of
///   the token's entry and cubbyhole) is not shown; the lease id is fixed for a token, so
///   registering a token twice (creation, renewal) updates one lease.
/// Both start with the path that created them, which is what `revoke-prefix` matches on.
///
/// Storage: `sys/expire/id/<lease id>` (local key class), a JSON object inside the barrier's
/// envelope:
/// ```
/// { "version": 1, "lease_id": s, "path": s, "issue_time": n, "expire_time": n,
///   "last_renewal_time": n, "renewable": b, "ttl": n, "max_ttl": n,
///   "client_token_id": s, "token_id": s, "internal": {...}, "revoke_error": s }
/// ```
/// Times are unix seconds, 0 meaning "none"; durations are seconds. A record over
/// ``maxStoredSize`` bytes, of another version, with a member missing, of the wrong type
/// or out of range fails closed with a corrupt-state error.
struct LeaseRecord: Sendable, Hashable {
    var id: String
    /// The request path that created the lease (for a token, the token's `path`).
    var path: String
    var issueTime: Int64
    /// When the lease ends; 0 = never.
    var expireTime: Int64
    /// The last successful renewal; 0 = never renewed.
    var lastRenewalTime: Int64
    var renewable: Bool
    /// The TTL granted at issue or at the last renewal; a renewal without an increment
    /// asks for it again.
    var ttl: Int64
    /// The mount's maximum lease TTL when the lease was issued: no renewal takes the lease
    /// past `issueTime + maxTTL`. 0 = no cap.
    var maxTTL: Int64
    /// Salted id of the token that created the lease; revoking that token revokes the
    /// lease. Empty when no token owns it.
    var clientTokenID: String
    /// For a token's own lease, the token's salted id; empty for secrets.
    var tokenID: String
    /// What the engine needs to revoke the secret (never shown, never logged).
    var internalData: [String: JSONValue]
    /// Set once revocation gave up (irrevocable lease); empty otherwise.
    var revokeError: String

    init(
        id: String, path: String, issueTime: Int64, expireTime: Int64, lastRenewalTime: Int64 = 0,
        renewable: Bool, ttl: Int64, maxTTL: Int64 = 0, clientTokenID: String = "", tokenID: String = "",
        internalData: [String: JSONValue] = [:], revokeError: String = ""
    ) {
        self.id = id
        self.path = path
        self.issueTime = issueTime
        self.expireTime = expireTime
        self.lastRenewalTime = lastRenewalTime
        self.renewable = renewable
        self.ttl = ttl
        self.maxTTL = maxTTL
        self.clientTokenID = clientTokenID
        self.tokenID = tokenID
        self.internalData = internalData
        self.revokeError = revokeError
    }

    /// A token's own lease (revoking it revokes the token).
    var isTokenLease: Bool { !tokenID.isEmpty }
    var isIrrevocable: Bool { !revokeError.isEmpty }

    /// The token whose revocation takes this lease with it: the token itself for a token
    /// lease, the creating token for a secret. Empty for none.
    var owningTokenID: String { isTokenLease ? tokenID : clientTokenID }

    func isExpired(at now: Int64) -> Bool { expireTime > 0 && expireTime <= now }

    /// Seconds left at `now`; 0 when the lease never expires or has expired.
    func remainingTTL(at now: Int64) -> Int64 { expireTime > 0 ? max(0, expireTime - now) : 0 }

    var times: LeaseTimes { LeaseTimes(id: id, expireTime: expireTime, irrevocable: isIrrevocable) }

    // MARK: Ids

    /// Longest lease id (and path) accepted, in UTF-8 bytes.
    static let maxIDLength = 1024

    /// Whether `id` can name a lease: not empty, bounded, no control characters, no
    /// leading `/`. Anything else cannot be stored, so it is simply not found.
    static func isValidID(_ id: String) -> Bool {
        var count = 0
        for byte in id.utf8 {
            guard byte >= 0x20, byte != 0x7f else { return false }
            count += 1
        }
        return count > 0 && count <= maxIDLength && !id.hasPrefix("/")
    }

    /// The lease id of a token created at `path` with salted id `tokenID`.
    static func tokenLeaseID(path: String, tokenID: String) -> String {
        let digest = SHA256.hash(data: Array(("coffer token lease\u{0}" + tokenID).utf8))
        return path + "/h" + Hex.encode(Array(digest))
    }

    /// The name of a lease in its owning token's index: the lease id's SHA-256 in hex,
    /// so the index key has a fixed shape whatever the id holds.
    static func indexName(leaseID: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(leaseID.utf8))))
    }
}

extension LeaseRecord: CustomStringConvertible, CustomDebugStringConvertible {
    /// Leaves out the engine's internal data and the token ids.
    var description: String {
        "LeaseRecord(id: \(id), expireTime: \(expireTime), renewable: \(renewable), token: \(isTokenLease))"
    }

    var debugDescription: String { description }
}

// MARK: - Storage format

extension LeaseRecord {
    static let storageVersion: Int64 = 1
    /// Largest stored record accepted, in bytes.
    static let maxStoredSize = 64 * 1024

    var storageValue: JSONValue {
        .object([
            "version": .int(Self.storageVersion), "lease_id": .string(id), "path": .string(path),
            "issue_time": .int(issueTime), "expire_time": .int(expireTime), "last_renewal_time": .int(lastRenewalTime),
            "renewable": .bool(renewable), "ttl": .int(ttl), "max_ttl": .int(maxTTL),
            "client_token_id": .string(clientTokenID), "token_id": .string(tokenID),
            "internal": .object(internalData), "revoke_error": .string(revokeError),
        ])
    }

    var storageBytes: [UInt8] { JSONWriter.bytes(storageValue) }

    init(storageBytes bytes: [UInt8]) throws {
        guard bytes.count <= Self.maxStoredSize else { throw CoreError.corrupt("lease record is too large") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: 32)
        } catch {
            throw CoreError.corrupt("lease record is not valid JSON")
        }
        let bad = CoreError.corrupt("lease record has an unknown format")
        guard value["version"]?.intValue == Self.storageVersion,
            let id = value["lease_id"]?.stringValue, Self.isValidID(id),
            let path = value["path"]?.stringValue, path.utf8.count <= Self.maxIDLength,
            let issueTime = value["issue_time"]?.intValue, issueTime >= 0,
            let expireTime = value["expire_time"]?.intValue, expireTime >= 0,
            let lastRenewalTime = value["last_renewal_time"]?.intValue, lastRenewalTime >= 0,
            let renewable = value["renewable"]?.boolValue,
            let ttl = value["ttl"]?.intValue, ttl >= 0,
            let maxTTL = value["max_ttl"]?.intValue, maxTTL >= 0,
            let clientTokenID = value["client_token_id"]?.stringValue, Self.isValidTokenID(clientTokenID),
            let tokenID = value["token_id"]?.stringValue, Self.isValidTokenID(tokenID),
            let internalData = value["internal"]?.objectValue,
            let revokeError = value["revoke_error"]?.stringValue
        else { throw bad }
        self.init(
            id: id, path: path, issueTime: issueTime, expireTime: expireTime, lastRenewalTime: lastRenewalTime,
            renewable: renewable, ttl: ttl, maxTTL: maxTTL, clientTokenID: clientTokenID, tokenID: tokenID,
            internalData: internalData, revokeError: revokeError
        )
    }

    /// Token ids name a storage directory of the token index: empty, or one path segment.
    static func isValidTokenID(_ id: String) -> Bool {
        id.utf8.count <= 128 && !id.contains("/")
    }
}

/// An entry of the token index: `sys/expire/token/<owning token id>/<indexName(lease id)>`
/// holds `{"version": 1, "lease_id": s}`, so revoking a token finds its leases without
/// reading every lease. Written and deleted in the same batch as the lease record.
enum LeaseIndexEntry {
    static func bytes(leaseID: String) -> [UInt8] {
        JSONWriter.bytes(["version": .int(LeaseRecord.storageVersion), "lease_id": .string(leaseID)])
    }

    /// The lease id an entry names, or nil when the entry is malformed.
    static func leaseID(from bytes: [UInt8]) -> String? {
        guard bytes.count <= 4096, let value = try? JSONParser.parse(bytes, maxDepth: 2),
            value["version"]?.intValue == LeaseRecord.storageVersion,
            let id = value["lease_id"]?.stringValue, LeaseRecord.isValidID(id)
        else { return nil }
        return id
    }
}
