import CofferBarrier
import CofferJSON
import CofferStorage

/// What `sys/token/accessor/<salted accessor>` holds: the token's salted id, and the
/// accessor itself so `auth/token/accessors` can list accessors without the tokens.
///
/// ```
/// {"version": 1, "token_id": hex, "accessor": s}
/// ```
/// A bare hex id (the form written before this record existed) is read as
/// `token_id` with an unknown accessor.
struct TokenAccessorRecord: Sendable, Hashable {
    var tokenID: String
    var accessor: String

    static let version: Int64 = 1

    var storageBytes: [UInt8] {
        JSONWriter.bytes(.object([
            "version": .int(Self.version), "token_id": .string(tokenID), "accessor": .string(accessor),
        ]))
    }

    init(tokenID: String, accessor: String) {
        self.tokenID = tokenID
        self.accessor = accessor
    }

    init(storageBytes bytes: [UInt8]) throws {
        if bytes.count == TokenStore.saltedIDLength, bytes.first != UInt8(ascii: "{") {
            let id = String(decoding: bytes, as: UTF8.self)
            guard Hex.isLowercaseHex(id, count: TokenStore.saltedIDLength) else {
                throw CoreError.corrupt("token accessor record has an unknown format")
            }
            self.init(tokenID: id, accessor: "")
            return
        }
        guard let v = try? JSONParser.parse(bytes, maxDepth: 4), v["version"]?.intValue == Self.version,
            let tokenID = v["token_id"]?.stringValue, let accessor = v["accessor"]?.stringValue
        else { throw CoreError.corrupt("token accessor record has an unknown format") }
        self.init(tokenID: tokenID, accessor: accessor)
    }
}

extension TokenStore {
    static let maxAccessorLength = 128

    func accessorKey(_ accessor: String) -> String { Self.accessorPrefix + saltedID(accessor) }

    /// The stored entry an accessor names, whatever its state, or nil when the accessor is
    /// unknown (or its record points at a token that is gone).
    func storedEntry(forAccessor accessor: String) async throws -> TokenEntry? {
        guard !accessor.isEmpty, accessor.utf8.count <= Self.maxAccessorLength else { return nil }
        guard let bytes = try await barrier.get(accessorKey(accessor)) else { return nil }
        let record = try TokenAccessorRecord(storageBytes: bytes)
        guard let entry = try await storedEntry(id: record.tokenID), entry.accessor == accessor else { return nil }
        return entry
    }

    /// The live entry behind an accessor (see ``lookup(token:)`` for "live").
    func lookup(accessor: String) async throws -> TokenEntry? {
        guard let entry = try await storedEntry(forAccessor: accessor), !entry.revocationPending else { return nil }
        let now = now()
        guard !entry.isExpired(at: now), try await ancestorCount(of: entry, now: now) != nil else { return nil }
        return entry
    }

    /// Every accessor on record, sorted (`auth/token/accessors`). Records whose accessor is
    /// unknown (the oldest format) are resolved through their token.
    func listAccessors() async throws -> [String] {
        var accessors: [String] = []
        try await forEachKey(under: Self.accessorPrefix) { name in
            guard let bytes = try await barrier.get(Self.accessorPrefix + name) else { return }
            let record = try TokenAccessorRecord(storageBytes: bytes)
            if !record.accessor.isEmpty {
                accessors.append(record.accessor)
            } else if let entry = try await storedEntry(id: record.tokenID), !entry.accessor.isEmpty {
                accessors.append(entry.accessor)
            }
        }
        return accessors.sorted()
    }

    /// Calls `body` with each direct child name under `prefix`, a page at a time, so a
    /// huge listing is never held in memory at once.
    func forEachKey(under prefix: String, pageSize: Int = 1000, _ body: (String) async throws -> Void) async throws {
        var after: String?
        while true {
            let page = try await barrier.list(prefix: prefix, after: after, limit: pageSize)
            for name in page { try await body(name) }
            guard page.count == pageSize, let last = page.last else { return }
            after = last
        }
    }
}
