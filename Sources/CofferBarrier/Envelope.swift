#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Crypto

/// The sealed form of every value the barrier stores: AES-256-GCM under one key term,
/// bound to the storage path it was written for.
///
/// ```
///  0        1                  5                     17                   n-16          n
///  +--------+------------------+---------------------+--------------------+-------------+
///  | 0x01   | term (u32, BE)   | nonce (12 bytes)    | ciphertext         | tag (16)    |
///  +--------+------------------+---------------------+--------------------+-------------+
///
///  AAD = 0x01 ‖ term (u32, BE) ‖ UTF-8 bytes of the storage path
/// ```
///
/// The version byte and term are authenticated, so changing either fails the tag check;
/// the path is authenticated, so a value copied under another key fails too. The nonce is
/// random per value: a term should seal well under 2^32 values (NIST SP 800-38D), which
/// is why ``SecurityBarrier/keyStatus()`` reports an encryption count to rotate on.
///
/// The same format seals the barrier's own key blobs with term 0, which no keyring has:
/// `core/root-key` (under the unseal key) and `core/keyring` (under the root key).
public enum Envelope {
    /// The format version byte.
    public static let version: UInt8 = 1
    /// Bytes of the version and term header.
    public static let headerSize = 1 + 4
    /// Bytes of the AES-GCM nonce.
    public static let nonceSize = 12
    /// Bytes of the AES-GCM tag.
    public static let tagSize = 16
    /// Bytes an envelope adds to its plaintext.
    public static let overhead = headerSize + nonceSize + tagSize

    /// Seals `plaintext` with `key` as term `term` for storage at `path`.
    /// - Throws: ``BarrierError`` `.internal` if AES-GCM refuses (a key of the wrong size).
    public static func seal(
        _ plaintext: [UInt8], term: UInt32, key: SymmetricKey, path: String
    ) throws(BarrierError) -> [UInt8] {
        let header = header(term: term)
        do {
            let box = try AES.GCM.seal(plaintext, using: key, authenticating: aad(header: header, path: path))
            var out = header
            out.reserveCapacity(overhead + box.ciphertext.count)
            box.nonce.withUnsafeBytes { out.append(contentsOf: $0) }
            out.append(contentsOf: box.ciphertext)
            out.append(contentsOf: box.tag)
            return out
        } catch {
            throw BarrierError(.internal, "sealing the value for \(path) failed", cause: error)
        }
    }

    /// The key term named in an envelope's header, or nil when the bytes are too short
    /// to be an envelope or carry an unknown version. Not authenticated: use it to pick a
    /// key, then ``open(_:key:path:)`` checks it.
    public static func term(of envelope: [UInt8]) -> UInt32? {
        guard envelope.count >= overhead, envelope[0] == version else { return nil }
        var reader = ByteReader(envelope, offset: 1)
        return reader.readUInt32()
    }

    /// Opens an envelope sealed for `path` with `key`.
    /// - Throws: ``BarrierError`` `.integrity` naming `path` when the bytes are malformed,
    ///   of another version, or fail authentication (tampered, wrong key or term, moved
    ///   from another path).
    public static func open(_ envelope: [UInt8], key: SymmetricKey, path: String) throws(BarrierError) -> [UInt8] {
        guard let term = term(of: envelope) else {
            throw BarrierError(.integrity, "value at \(path) is not a valid envelope")
        }
        let header = Self.header(term: term)
        let nonceStart = headerSize
        let cipherStart = nonceStart + nonceSize
        let tagStart = envelope.count - tagSize
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: envelope[nonceStart..<cipherStart]),
                ciphertext: envelope[cipherStart..<tagStart],
                tag: envelope[tagStart...])
            let plaintext = try AES.GCM.open(box, using: key, authenticating: aad(header: header, path: path))
            return Array(plaintext)
        } catch {
            throw BarrierError(.integrity, "value at \(path) failed authentication", cause: error)
        }
    }

    static func header(term: UInt32) -> [UInt8] {
        var header: [UInt8] = [version]
        header.appendBigEndian(term)
        return header
    }

    static func aad(header: [UInt8], path: String) -> [UInt8] {
        header + Array(path.utf8)
    }
}
