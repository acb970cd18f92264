import CofferBarrier
import CofferJSON
import CofferLogical
import Foundation

/// Batch tokens: the token is its own entry, sealed by the barrier.
///
/// ```
/// hvb.<base64url, no padding, of Envelope(term, AES-256-GCM, AAD path "sys/token/batch")>
///
/// plaintext: {"v":1, "p":[policies], "pa":parent id, "pt":path, "dn":display name,
///             "m":{meta}, "ct":creation time, "t":ttl, "e":expire time, "r":role}
/// ```
///
/// The envelope authenticates everything, so a batch token cannot be forged or altered
/// without the barrier keys; it stays readable across key rotation (older terms remain in
/// the keyring). Nothing is stored, so a batch token cannot be revoked, renewed or looked
/// up by accessor: it ends at its expiry or with its parent.
enum TokenBatchCodec {
    static let version: Int64 = 1

    /// Seals `entry` (its `id` and `accessor` are not carried) into a token.
    static func encode(_ entry: TokenEntry, barrier: SecurityBarrier) throws -> String {
        let payload: JSONValue = .object([
            "v": .int(version), "p": .array(entry.policies.map { .string($0) }), "pa": .string(entry.parent),
            "pt": .string(entry.path), "dn": .string(entry.displayName),
            "m": .object(entry.metadata.mapValues { .string($0) }), "ct": .int(entry.creationTime),
            "t": .int(entry.ttl), "e": .int(entry.expireTime), "r": .string(entry.role),
        ])
        let sealed = try barrier.encrypt(path: TokenStore.batchEnvelopePath, plaintext: JSONWriter.bytes(payload))
        let token = TokenStore.batchPrefix + base64URLEncode(sealed)
        guard token.utf8.count <= TokenStore.maxBatchTokenLength else {
            throw LogicalError.invalidRequest("batch token would be too long: use fewer policies or less metadata")
        }
        return token
    }

    /// The entry inside a batch token, with `id` as its id, or nil when the token is not
    /// one this barrier sealed (malformed, tampered with, from another cluster).
    /// - Throws: ``BarrierError`` `.sealed`.
    static func decode(_ token: String, barrier: SecurityBarrier, id: String) throws -> TokenEntry? {
        guard token.hasPrefix(TokenStore.batchPrefix), token.utf8.count <= TokenStore.maxBatchTokenLength,
            let sealed = base64URLDecode(token.utf8.dropFirst(TokenStore.batchPrefix.utf8.count))
        else { return nil }
        let plaintext: [UInt8]
        do {
            plaintext = try barrier.decrypt(path: TokenStore.batchEnvelopePath, ciphertext: sealed)
        } catch let error where error.code == .sealed {
            throw error
        } catch {
            return nil
        }
        guard let v = try? JSONParser.parse(plaintext, maxDepth: 4), v["v"]?.intValue == version,
            let policies = v["p"]?.stringArrayValue, let parent = v["pa"]?.stringValue, let path = v["pt"]?.stringValue,
            let displayName = v["dn"]?.stringValue, let meta = v["m"]?.objectValue,
            let creationTime = v["ct"]?.intValue, let ttl = v["t"]?.intValue, let expireTime = v["e"]?.intValue,
            let role = v["r"]?.stringValue
        else { return nil }
        let metadata = meta.compactMapValues(\.stringValue)
        guard metadata.count == meta.count else { return nil }
        return TokenEntry(
            id: id, accessor: "", policies: policies, parent: parent, path: path, displayName: displayName,
            metadata: metadata, creationTime: creationTime, ttl: ttl, type: TokenEntry.batchType,
            expireTime: expireTime, renewable: false, role: role
        )
    }

    static func base64URLEncode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Strict: only the URL-safe alphabet, no padding, no whitespace.
    static func base64URLDecode(_ text: Substring.UTF8View) -> [UInt8]? {
        var standard = [UInt8]()
        standard.reserveCapacity(text.count + 3)
        for byte in text {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                standard.append(byte)
            case UInt8(ascii: "-"): standard.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): standard.append(UInt8(ascii: "/"))
            default: return nil
            }
        }
        guard standard.count % 4 != 1 else { return nil }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(standard)) else { return nil }
        return Array(data)
    }
}
