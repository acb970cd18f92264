/// One change to the Merkle index with its hashes already computed, so that the part
/// done under the replication log's lock is only dictionary updates.
enum MerkleChange: Sendable {
    case put(key: [UInt8], page: Int, digest: Digest20)
    case delete(key: [UInt8], page: Int)
    case deletePrefix(String)

    static func put(key: String, value: [UInt8]) -> MerkleChange {
        let bytes = Array(key.utf8)
        return .put(key: bytes, page: MerkleIndex.page(ofKeyBytes: bytes),
                    digest: MerkleIndex.entryDigest(key: bytes, value: value))
    }

    static func delete(key: String) -> MerkleChange {
        let bytes = Array(key.utf8)
        return .delete(key: bytes, page: MerkleIndex.page(ofKeyBytes: bytes))
    }
}

extension MerkleIndex {
    mutating func apply(_ change: MerkleChange) {
        switch change {
        case .put(let key, let page, let digest):
            put(keyBytes: key, page: page, digest: digest)
        case .delete(let key, let page):
            delete(keyBytes: key, page: page)
        case .deletePrefix(let prefix):
            deletePrefix(prefix)
        }
    }
}
