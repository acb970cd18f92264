public import CofferStorage

/// The binary form of a ``WALRecord``, used in storage and on the wire.
///
/// Version 1, all integers big-endian:
///
///     offset  size  field
///     0       1     version (0x01)
///     1       8     index (UInt64)
///     9       1     operation: 0x01 put, 0x02 delete, 0x03 deletePrefix
///     10      4     key length K (UInt32), K <= maximumKeyBytes
///     14      K     key, UTF-8
///     (put only)
///     14+K    4     value length V (UInt32), V <= maximumValueBytes
///     18+K    V     value (stored bytes: barrier ciphertext)
///     end-4   4     CRC-32C of every byte before it
///
/// ``decode(_:)`` fails closed: a wrong version, a length that does not match the input
/// exactly, a bad checksum, an unknown operation or a key that is not UTF-8 throws a
/// ``WALError``; nothing is allocated from a length before it is checked against the input.
public enum WALCodec {
    /// The format version this build writes and reads.
    public static let version: UInt8 = 1
    /// The longest key a record may carry; the replication log refuses longer keys at commit.
    public static let maximumKeyBytes = 64 * 1024
    /// The largest value a record may carry; the replication log refuses larger values at commit.
    public static let maximumValueBytes = 256 * 1024 * 1024

    private static let putTag: UInt8 = 1
    private static let deleteTag: UInt8 = 2
    private static let deletePrefixTag: UInt8 = 3

    /// Whether `operation` fits the record limits (its key and value lengths).
    public static func fits(_ operation: StorageOperation) -> Bool {
        switch operation {
        case .put(let key, let value):
            key.utf8.count <= maximumKeyBytes && value.count <= maximumValueBytes
        case .delete(let key), .deletePrefix(let key):
            key.utf8.count <= maximumKeyBytes
        }
    }

    /// The record's bytes. The caller keeps within the limits (``fits(_:)``); a record
    /// beyond them encodes but does not decode.
    public static func encode(_ record: WALRecord) -> [UInt8] {
        let tag: UInt8
        let key: String
        var value: [UInt8]?
        switch record.operation {
        case .put(let k, let v):
            tag = putTag
            key = k
            value = v
        case .delete(let k):
            tag = deleteTag
            key = k
        case .deletePrefix(let prefix):
            tag = deletePrefixTag
            key = prefix
        }
        let keyBytes = key.utf8
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 + 8 + 1 + 4 + keyBytes.count + (value.map { 4 + $0.count } ?? 0) + 4)
        bytes.append(version)
        append(record.index, to: &bytes)
        bytes.append(tag)
        append(UInt32(truncatingIfNeeded: keyBytes.count), to: &bytes)
        bytes.append(contentsOf: keyBytes)
        if let value {
            append(UInt32(truncatingIfNeeded: value.count), to: &bytes)
            bytes.append(contentsOf: value)
        }
        append(CRC32C.checksum(bytes), to: &bytes)
        return bytes
    }

    /// The record in `bytes`; throws ``WALError`` for anything but an exact, intact record.
    public static func decode(_ bytes: [UInt8]) throws -> WALRecord {
        // version + index + tag + key length + checksum
        guard bytes.count >= 1 + 8 + 1 + 4 + 4 else {
            throw WALError(.malformed, "WAL record is \(bytes.count) bytes, shorter than any record")
        }
        guard bytes[0] == version else {
            throw WALError(.unsupportedVersion, "WAL record has format version \(bytes[0]); this Coffer reads version \(version)")
        }
        let body = bytes.count - 4
        let stored = readUInt32(bytes, at: body)
        guard CRC32C.checksum(bytes[0..<body]) == stored else {
            throw WALError(.malformed, "WAL record checksum mismatch")
        }
        var offset = 1
        let index = readUInt64(bytes, at: offset)
        offset += 8
        let tag = bytes[offset]
        offset += 1
        let key = try readString(bytes, at: &offset, end: body)
        let operation: StorageOperation
        switch tag {
        case putTag:
            guard body - offset >= 4 else {
                throw WALError(.malformed, "WAL put record has no value length")
            }
            let length = Int(readUInt32(bytes, at: offset))
            offset += 4
            guard length <= maximumValueBytes else {
                throw WALError(.malformed, "WAL record value of \(length) bytes exceeds the limit of \(maximumValueBytes)")
            }
            guard length == body - offset else {
                throw WALError(.malformed, "WAL record value length \(length) does not match the \(body - offset) bytes left")
            }
            operation = .put(key: key, value: Array(bytes[offset..<body]))
            offset = body
        case deleteTag:
            operation = .delete(key: key)
        case deletePrefixTag:
            operation = .deletePrefix(key)
        default:
            throw WALError(.malformed, "WAL record has unknown operation \(tag)")
        }
        guard offset == body else {
            throw WALError(.malformed, "WAL record has \(body - offset) trailing bytes")
        }
        return WALRecord(index: index, operation: operation)
    }

    private static func readString(_ bytes: [UInt8], at offset: inout Int, end: Int) throws -> String {
        guard end - offset >= 4 else {
            throw WALError(.malformed, "WAL record has no key length")
        }
        let length = Int(readUInt32(bytes, at: offset))
        offset += 4
        guard length <= maximumKeyBytes else {
            throw WALError(.malformed, "WAL record key of \(length) bytes exceeds the limit of \(maximumKeyBytes)")
        }
        guard length <= end - offset else {
            throw WALError(.malformed, "WAL record key length \(length) exceeds the \(end - offset) bytes left")
        }
        guard let key = String(validating: bytes[offset..<offset + length], as: UTF8.self) else {
            throw WALError(.malformed, "WAL record key is not valid UTF-8")
        }
        offset += length
        return key
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    /// Reads 8 bytes at `offset`; the caller checked they exist.
    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + 8] { value = value << 8 | UInt64(byte) }
        return value
    }

    /// Reads 4 bytes at `offset`; the caller checked they exist.
    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for byte in bytes[offset..<offset + 4] { value = value << 8 | UInt32(byte) }
        return value
    }
}
