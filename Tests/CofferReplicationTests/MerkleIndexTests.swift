import CofferStorage
import CofferTestKit
import Testing
@testable import CofferReplication

@Suite struct MerkleIndexTests {
    static func rebuilt(_ model: [String: [UInt8]]) -> MerkleIndex {
        var index = MerkleIndex()
        for (key, value) in model { index.put(key: key, value: value) }
        return index
    }

    /// Keys from a small alphabet, so prefixes, folders and overwrites collide often.
    static func randomKey(_ random: inout SeededGenerator) -> String {
        let parts = ["a", "b", "é", "e\u{301}", "logical", "x"]
        return (0..<(1 + random.next(below: 3))).map { _ in
            parts[Int(random.next(below: UInt64(parts.count)))] + "\(random.next(below: 5))"
        }.joined(separator: "/")
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func incrementalUpdatesEqualARebuild(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var index = MerkleIndex()
        var model: [[UInt8]: (key: String, value: [UInt8])] = [:]  // keyed by bytes, as storage keys are
        for step in 0..<2_000 {
            let key = Self.randomKey(&random)
            switch random.next(below: 20) {
            case 0..<12:
                let value = random.bytes(Int(random.next(below: 8)))
                index.put(key: key, value: value)
                model[Array(key.utf8)] = (key, value)
            case 12..<19:
                index.delete(key: key)
                model[Array(key.utf8)] = nil
            default:
                let prefix = String(key.prefix(Int(random.next(below: 4))))
                index.deletePrefix(prefix)
                model = model.filter { !$0.key.starts(with: Array(prefix.utf8)) }
            }
            if step % 400 == 0 || step == 1_999 {
                var fresh = MerkleIndex()
                for (_, entry) in model.shuffled(using: &random) { fresh.put(key: entry.key, value: entry.value) }
                #expect(index == fresh, "seed \(seed) step \(step)")
                #expect(index.root == fresh.root, "seed \(seed) step \(step)")
                #expect(index.count == model.count, "seed \(seed) step \(step)")
            }
        }
    }

    @Test func theRootDependsOnContentsNotOrder() {
        var random = SeededGenerator(seed: 11)
        let pairs = (0..<500).map { ("logical/u/\($0)", random.bytes(16)) }
        var forward = MerkleIndex()
        for (key, value) in pairs { forward.put(key: key, value: value) }
        var backward = MerkleIndex()
        for (key, value) in pairs.reversed() { backward.put(key: key, value: value) }
        #expect(forward.rootHex == backward.rootHex)
        #expect(forward.rootHex.count == 40)
        #expect(forward.rootHex.allSatisfy { "0123456789abcdef".contains($0) })

        // Overwriting with the same value, or writing and deleting extras, changes nothing.
        backward.put(key: "logical/u/3", value: pairs[3].1)
        backward.put(key: "extra", value: [1])
        backward.delete(key: "extra")
        backward.delete(key: "never-there")
        #expect(forward.root == backward.root)

        // Any change of a value, or a key, changes the root.
        backward.put(key: "logical/u/3", value: pairs[3].1 + [0])
        #expect(forward.root != backward.root)
        #expect(MerkleIndex().root != forward.root)
    }

    @Test func pagesHoldTheirEntriesSortedWithXorHashes() throws {
        var index = MerkleIndex()
        var byPage: [Int: [String]] = [:]
        for number in 0..<20_000 {
            let key = "k/\(number)"
            index.put(key: key, value: [UInt8(number % 256)])
            byPage[MerkleIndex.page(of: key), default: []].append(key)
        }
        #expect(index.count == 20_000)
        #expect(index.pageHashes().count == MerkleIndex.pageCount)
        #expect(byPage.keys.allSatisfy { (0..<MerkleIndex.pageCount).contains($0) })
        #expect(byPage.count > 3_500)  // 20k keys spread over most of the 4096 pages

        let page = try #require(byPage.keys.min())
        let entries = index.entries(page: page)
        #expect(entries.map(\.key) == byPage[page]!.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        var xor = [UInt8](repeating: 0, count: MerkleHash.byteCount)
        for entry in entries {
            let number = Int(entry.key.dropFirst(2))!
            #expect(entry.hash == MerkleIndex.entryHash(key: entry.key, value: [UInt8(number % 256)]))
            for i in xor.indices { xor[i] ^= entry.hash.bytes[i] }
        }
        #expect(index.pageHashes()[page].bytes == xor)
        #expect(index.pageHash(page).bytes == xor)
        #expect(index.entries(page: -1).isEmpty && index.entries(page: MerkleIndex.pageCount).isEmpty)
        #expect(index.pageHash(99_999) == .zero)
        // An empty page hashes to zero.
        let emptyPage = try #require((0..<MerkleIndex.pageCount).first { byPage[$0] == nil })
        #expect(index.pageHashes()[emptyPage] == .zero)
    }

    @Test func deletePrefixIsBytewise() {
        var index = MerkleIndex()
        for key in ["a/1", "a/2", "a", "ab", "b/1", "é", "e\u{301}", "e"] { index.put(key: key, value: [1]) }
        #expect(index.count == 8)  // "é" and "e\u{301}" are different keys
        index.deletePrefix("a/")
        #expect(index.count == 6)
        index.deletePrefix("e")  // byte prefix: removes "e" and "e\u{301}", not "é"
        #expect(index.count == 4)
        var expected = MerkleIndex()
        for key in ["a", "ab", "b/1", "é"] { expected.put(key: key, value: [1]) }
        #expect(index == expected)
        index.deletePrefix("")
        #expect(index == MerkleIndex() && index.count == 0)
    }

    @Test func snapshotsAreIndependent() {
        var index = MerkleIndex()
        index.put(key: "a", value: [1])
        let snapshot = index
        index.put(key: "b", value: [2])
        index.deletePrefix("a")
        #expect(snapshot.count == 1)
        #expect(snapshot.entries(page: MerkleIndex.page(of: "a")).map(\.key) == ["a"])
        #expect(snapshot != index)
    }

    @Test func hashesConvertToAndFromHex() throws {
        let hash = MerkleIndex.entryHash(key: "k", value: [1, 2])
        #expect(hash.bytes.count == 20)
        #expect(MerkleHash(hex: hash.hex) == hash)
        #expect(MerkleHash(hex: hash.hex.uppercased()) == hash)
        #expect(MerkleHash(bytes: hash.bytes) == hash)
        #expect(MerkleHash(bytes: [1, 2]) == nil)
        #expect(MerkleHash(hex: "zz" + String(hash.hex.dropFirst(2))) == nil)
        #expect(MerkleHash(hex: "abc") == nil)
        #expect(MerkleHash.zero.hex == String(repeating: "0", count: 40))
    }

    @Test func sortedKeysMatchASortedArray() {
        var random = SeededGenerator(seed: 5)
        var keys = SortedByteKeys()
        var model = Set<[UInt8]>()
        for _ in 0..<20_000 {
            let key = Array("k\(random.next(below: 3_000))".utf8)
            switch random.next(below: 10) {
            case 0..<6:
                if model.insert(key).inserted { keys.insert(key) }
            case 6..<9:
                keys.remove(key)
                model.remove(key)
            default:
                let prefix = Array(key.prefix(Int(random.next(below: 4))))
                let removed = keys.removeAll(withPrefix: prefix)
                let expected = model.filter { $0.starts(with: prefix) }
                #expect(Set(removed) == expected)
                model.subtract(expected)
            }
        }
        #expect(keys.all == model.sorted { BytewiseOrder.less($0, $1) })
        #expect(keys.count == model.count)
    }
}
