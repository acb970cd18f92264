import CofferBarrier
public import CofferJSON
public import CofferLogical
import Crypto
import Foundation
import Synchronization

/// Tokens of this cluster: creation, resolution to an ``AuthContext``, lookup.
///
/// Layout (local key class, all through the barrier):
/// - `sys/token/salt`: 32 random bytes, created once.
/// - `sys/token/id/<hex HMAC-SHA256(salt, token)>`: the ``TokenEntry``.
/// - `sys/token/accessor/<hex HMAC-SHA256(salt, accessor)>`: the entry's id.
///
/// Resolved entries are cached in memory (bounded) so the read path does one HMAC and a
/// dictionary lookup; any change to a token goes through this type, which updates the cache.
final class TokenStore: Sendable {
    static let idPrefix = StorageKeys.tokenPrefix + "id/"
    static let accessorPrefix = StorageKeys.tokenPrefix + "accessor/"
    static let saltKey = StorageKeys.tokenPrefix + "salt"
    static let cacheLimit = 50_000

    private let barrier: SecurityBarrier
    private let salt: SymmetricKey
    private let now: @Sendable () -> Int64
    private let cache = Mutex<[String: TokenEntry]>([:])

    private init(barrier: SecurityBarrier, salt: SymmetricKey, now: @escaping @Sendable () -> Int64) {
        self.barrier = barrier
        self.salt = salt
        self.now = now
    }

    /// Loads the salt, creating it on first use. Call after unseal.
    static func load(barrier: SecurityBarrier, now: @escaping @Sendable () -> Int64) async throws -> TokenStore {
        if let bytes = try await barrier.get(saltKey) {
            return TokenStore(barrier: barrier, salt: SymmetricKey(data: bytes), now: now)
        }
        let salt = SymmetricKey(size: .bits256)
        try await barrier.commit(.init([.put(key: saltKey, value: salt.withUnsafeBytes { Array($0) })]))
        return TokenStore(barrier: barrier, salt: salt, now: now)
    }

    /// The storage id of a token or accessor: hex HMAC-SHA256 under this cluster's salt.
    func saltedID(_ value: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: salt)
        return Hex.encode(Array(mac))
    }

    /// Creates a root token (policy `root`, no expiry). `id` fixes the token's value
    /// (dev mode's `-dev-root-token-id`); otherwise one is generated.
    func createRootToken(id: String? = nil, displayName: String = "root") async throws -> (token: String, entry: TokenEntry) {
        let token = id ?? TokenGenerator.token(prefix: "hvs.", length: 24)
        let accessor = TokenGenerator.token(prefix: "", length: 24)
        let entry = TokenEntry(
            id: saltedID(token), accessor: accessor, policies: ["root"], path: "auth/token/root",
            displayName: displayName, creationTime: now()
        )
        try await barrier.commit(.init([
            .put(key: Self.idPrefix + entry.id, value: JSONWriter.bytes(entry.storageValue)),
            .put(key: Self.accessorPrefix + saltedID(accessor), value: Array(entry.id.utf8)),
        ]))
        cache.withLock { $0[entry.id] = entry }
        return (token, entry)
    }

    /// The live entry for a client token, or nil when it is unknown or expired.
    func lookup(token: String) async throws -> TokenEntry? {
        guard !token.isEmpty, token.utf8.count <= 512 else { return nil }
        let id = saltedID(token)
        let cached = cache.withLock { $0[id] }
        let entry: TokenEntry
        if let cached {
            entry = cached
        } else {
            guard let bytes = try await barrier.get(Self.idPrefix + id) else { return nil }
            entry = try TokenEntry(storageValue: try JSONParser.parse(bytes))
            cache.withLock {
                if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
                $0[id] = entry
            }
        }
        if entry.ttl > 0, entry.creationTime + entry.ttl <= now() { return nil }
        return entry
    }

    func authContext(for entry: TokenEntry) -> AuthContext {
        AuthContext(
            accessor: entry.accessor, policies: entry.policies, metadata: entry.metadata,
            displayName: entry.displayName, tokenID: entry.id
        )
    }

    /// `auth/token/lookup-self` data, as Vault reports it. `token` is the caller's own.
    func lookupData(entry: TokenEntry, token: String) -> [String: JSONValue] {
        let remaining = entry.ttl > 0 ? max(0, entry.creationTime + entry.ttl - now()) : 0
        let expire: JSONValue = entry.ttl > 0
            ? .string(ISO8601.string(fromUnix: entry.creationTime + entry.ttl)) : .null
        return [
            "accessor": .string(entry.accessor), "creation_time": .int(entry.creationTime),
            "creation_ttl": .int(entry.ttl), "display_name": .string(entry.displayName), "entity_id": "",
            "expire_time": expire, "explicit_max_ttl": .int(entry.explicitMaxTTL), "id": .string(token),
            "meta": entry.metadata.isEmpty ? .null : .object(entry.metadata.mapValues { .string($0) }),
            "num_uses": .int(Int64(entry.numUses)), "orphan": .bool(entry.parent.isEmpty), "path": .string(entry.path),
            "policies": .array(entry.policies.map { .string($0) }), "renewable": .bool(false),
            "ttl": .int(remaining), "type": .string(entry.type),
            "issue_time": .string(ISO8601.string(fromUnix: entry.creationTime)),
        ]
    }
}

/// Random token strings (base62), from the system's CSPRNG.
enum TokenGenerator {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    static func token(prefix: String, length: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for _ in 0..<length { bytes.append(alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))]) }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }

    static func uuid() -> String { UUID().uuidString.lowercased() }
}

enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum ISO8601 {
    static func string(fromUnix seconds: Int64) -> String {
        string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
