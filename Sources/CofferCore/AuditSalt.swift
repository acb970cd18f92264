import CofferJSON
import Crypto
import Foundation

/// One audit device's HMAC key: 32 random bytes, stored through the barrier under
/// `core/audit-salt/<uuid>` (`core/local-audit-salt/<uuid>` for a `local` device) and
/// deleted with the device, so disabling and re-enabling a path changes every hash.
///
/// `hash("x")` is `"hmac-sha256:" + lowercase hex(HMAC-SHA256(key: salt, message: UTF-8 "x"))`,
/// which is what audit lines hold instead of sensitive strings and what `sys/audit-hash`
/// answers, so an operator can find a known value in the log.
///
/// Stored as `{"version":1,"salt":"<base64 of 32 bytes>"}`. Prints redacted.
struct AuditSalt: Sendable, CustomStringConvertible {
    static let byteCount = 32
    static let storageVersion: Int64 = 1
    static let hashPrefix = "hmac-sha256:"

    private let key: SymmetricKey
    /// An HMAC already keyed with ``key``: HMAC's state is a value, so each hash starts
    /// from a copy instead of deriving the inner and outer pads again.
    private let keyed: HMAC<SHA256>

    init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
        keyed = HMAC<SHA256>(key: key)
    }

    /// A fresh salt from the system's cryptographic random source.
    static func generate() -> AuditSalt {
        AuditSalt(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// `hmac-sha256:<hex>` of `value`'s UTF-8 bytes.
    func hash(_ value: String) -> String {
        var mac = keyed
        var text = value
        text.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        let digest = mac.finalize()
        var out = [UInt8]()
        out.reserveCapacity(Self.hashPrefix.utf8.count + 64)
        out.append(contentsOf: Self.hashPrefix.utf8)
        let hexDigits = Array("0123456789abcdef".utf8)
        digest.withUnsafeBytes { bytes in
            for byte in bytes {
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    var description: String { "AuditSalt(redacted)" }

    // MARK: storage

    /// The barrier key of a device's salt.
    static func storageKey(uuid: String, local: Bool) -> String {
        (local ? StorageKeys.localAuditSaltPrefix : StorageKeys.auditSaltPrefix) + uuid
    }

    var storageValue: JSONValue {
        let bytes = key.withUnsafeBytes { Data($0) }
        return ["version": .int(Self.storageVersion), "salt": .string(bytes.base64EncodedString())]
    }

    init(storageValue v: JSONValue) throws {
        guard v["version"]?.intValue == Self.storageVersion else {
            throw AuditError(.corrupt, "audit salt has an unknown format version")
        }
        guard let text = v["salt"]?.stringValue, let data = Data(base64Encoded: text), data.count == Self.byteCount
        else { throw AuditError(.corrupt, "audit salt is malformed") }
        self.init(bytes: Array(data))
    }
}
