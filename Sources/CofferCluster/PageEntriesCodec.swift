import CofferReplication
import Foundation

/// The packed form of Merkle page entries on the wire (`PageEntriesResponse.packed_entries`).
///
/// A catch-up at millions of keys moves millions of entries; as one protobuf message each
/// they cost an object, a `Data` and a `String` apiece on both sides. Packed, an answer
/// is one buffer: for every asked page, in the asked order, `[page u32][count u32]`, then
/// per entry `[key length u32][key UTF-8][hash, 20 bytes]`, all big-endian.
enum PageEntriesCodec {
    static func encode(_ pages: [MerklePage]) -> Data {
        var size = 0
        for page in pages {
            size += 8
            for entry in page.entries { size += 4 + entry.key.utf8.count + MerkleHash.byteCount }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        for page in pages {
            append(UInt32(page.page), to: &bytes)
            append(UInt32(page.entries.count), to: &bytes)
            for entry in page.entries {
                append(UInt32(entry.key.utf8.count), to: &bytes)
                bytes.append(contentsOf: entry.key.utf8)
                bytes.append(contentsOf: entry.hash.bytes)
            }
        }
        return Data(bytes)
    }

    /// The pages in `data`, which must be exactly the `asked` pages in order, each entry a
    /// valid UTF-8 key with a 20-byte hash, and nothing after; anything else throws
    /// ``ClusterError/Code/malformedMessage`` (the caller drops the link).
    static func decode(_ data: Data, asked: [Int]) throws(ClusterError) -> [MerklePage] {
        let malformed = ClusterError(.malformedMessage, "malformed packed Merkle page entries from the primary")
        let raw = [UInt8](data)
        var offset = 0
        func readUInt32() throws(ClusterError) -> Int {
            guard raw.count - offset >= 4 else { throw malformed }
            var value: UInt32 = 0
            for i in 0..<4 { value = value << 8 | UInt32(raw[offset + i]) }
            offset += 4
            return Int(value)
        }
        var pages: [MerklePage] = []
        pages.reserveCapacity(asked.count)
        for page in asked {
            guard try readUInt32() == page else { throw malformed }
            let count = try readUInt32()
            // Each entry takes at least 24 bytes: a count beyond that is a lie.
            guard count <= (raw.count - offset) / (4 + MerkleHash.byteCount) else { throw malformed }
            var entries: [MerkleEntry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let length = try readUInt32()
                guard raw.count - offset >= length + MerkleHash.byteCount,
                      let key = String(validating: raw[offset..<offset + length], as: UTF8.self)
                else { throw malformed }
                offset += length
                guard let hash = MerkleHash(bytes: Array(raw[offset..<offset + MerkleHash.byteCount])) else { throw malformed }
                offset += MerkleHash.byteCount
                entries.append(MerkleEntry(key: key, hash: hash))
            }
            pages.append(MerklePage(page: page, entries: entries))
        }
        guard offset == raw.count else { throw malformed }
        return pages
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}
