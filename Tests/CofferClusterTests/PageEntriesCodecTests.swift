import CofferReplication
import Foundation
import Testing
@testable import CofferCluster

@Suite struct PageEntriesCodecTests {
    static let hashA = MerkleHash(bytes: Array(repeating: 0xab, count: 20))!
    static let hashB = MerkleHash(bytes: Array(0..<20))!
    static let pages = [
        MerklePage(page: 7, entries: [MerkleEntry(key: "logical/a", hash: hashA), MerkleEntry(key: "logical/é/\u{10FFFF}", hash: hashB)]),
        MerklePage(page: 3, entries: []),
        MerklePage(page: 4095, entries: [MerkleEntry(key: "", hash: hashA)]),
    ]

    @Test func roundTripsEveryAskedPageInOrder() throws {
        let data = PageEntriesCodec.encode(Self.pages)
        #expect(try PageEntriesCodec.decode(data, asked: [7, 3, 4095]) == Self.pages)
        #expect(try PageEntriesCodec.decode(PageEntriesCodec.encode([]), asked: []) == [])
    }

    @Test func refusesAnythingButExactlyTheAskedPages() {
        let data = PageEntriesCodec.encode(Self.pages)
        var invalidUTF8 = [UInt8](PageEntriesCodec.encode([MerklePage(page: 1, entries: [MerkleEntry(key: "ab", hash: Self.hashA)])]))
        invalidUTF8[12] = 0xff  // the key's first byte
        var countTooLarge = [UInt8](PageEntriesCodec.encode([MerklePage(page: 1, entries: [])]))
        countTooLarge[7] = 9
        let cases: [(String, Data, [Int])] = [
            ("other order", data, [3, 7, 4095]),
            ("a page short", data, [7, 3]),
            ("a page more", data, [7, 3, 4095, 5]),
            ("truncated", data.dropLast(), [7, 3, 4095]),
            ("trailing byte", data + [0], [7, 3, 4095]),
            ("invalid UTF-8 key", Data(invalidUTF8), [1]),
            ("entry count beyond the bytes", Data(countTooLarge), [1]),
        ]
        for (name, bytes, asked) in cases {
            #expect(throws: ClusterError.self, "\(name)") { try PageEntriesCodec.decode(bytes, asked: asked) }
        }
    }
}
