@testable import CofferStorage
import CofferTestKit
import Testing

@Suite struct InMemoryBackendTests {
    @Test(.timeLimit(.minutes(2)))
    func handlesAHundredThousandKeys() async throws {
        let backend = InMemoryBackend()
        for start in stride(from: 0, to: 100_000, by: 5_000) {
            try await backend.commit(StorageBatch((start..<start + 5_000).map {
                .put(key: "scale/\($0 % 100)/\($0)", value: [UInt8($0 % 256)])
            }))
        }
        #expect(backend.count == 100_000)
        #expect(try await backend.list(prefix: "scale/").count == 100)
        let folder = try await backend.list(prefix: "scale/7/")
        #expect(folder.count == 1_000)
        #expect(folder.first == "10007")  // bytewise: "10007" < "1007"
        #expect(try await backend.get("scale/42/99942") == [UInt8(99_942 % 256)])
        #expect(try await backend.list(prefix: "scale/7/", after: "5007", limit: 3) == ["50107", "50207", "50307"])

        try await backend.commit(StorageBatch([.deletePrefix("scale/7/")]))
        #expect(backend.count == 99_000)
        #expect(try await backend.list(prefix: "scale/").count == 99)
    }

    @Test func sortedKeyListMatchesASortedArray() {
        var random = SeededGenerator(seed: 7)
        var list = SortedKeyList()
        var model: [String] = []  // sorted bytewise
        func less(_ a: String, _ b: String) -> Bool { StorageKey(a) < StorageKey(b) }

        for step in 0..<20_000 {
            let key = "k\(random.next(below: 4_000))"
            switch random.next(below: 10) {
            case 0..<6:
                if !model.contains(key) {
                    list.insert(StorageKey(key))
                    model.insert(key, at: model.firstIndex { less(key, $0) } ?? model.count)
                }
            case 6..<9:
                list.remove(StorageKey(key))
                model.removeAll { $0 == key }
            default:
                let lower = "k\(random.next(below: 4_000))"
                let upper = lower.prefixUpperBound!
                let removed = list.removeRange(from: StorageKey(lower), below: StorageKey(upper)).map(\.string)
                let expected = model.filter { $0.hasBytePrefix(lower) }
                model.removeAll { $0.hasBytePrefix(lower) }
                #expect(removed == expected, "step \(step)")
            }
            if step % 997 == 0 || step == 19_999 {
                var walked: [String] = []
                var keys = list.keys(from: StorageKey(""), strictly: false)
                while let key = keys.next() { walked.append(key) }
                #expect(walked == model, "step \(step)")
                #expect(list.count == model.count)
            }
        }
    }

    @Test func positionFindsFirstKeyAtLeastOrAfter() {
        var list = SortedKeyList()
        for index in stride(from: 0, to: 3_000, by: 2) { list.insert(StorageKey(String(format4(index)))) }
        func first(_ key: String, strictly: Bool) -> String? {
            var keys = list.keys(from: StorageKey(key), strictly: strictly)
            return keys.next()
        }
        #expect(first("1000", strictly: false) == "1000")
        #expect(first("1000", strictly: true) == "1002")
        #expect(first("1001", strictly: false) == "1002")
        #expect(first("2998", strictly: true) == nil)
        #expect(first("", strictly: false) == "0000")
    }

    @Test func numberedValuesMatchASortedDictionary() {
        var random = SeededGenerator(seed: 11)
        var store = NumberedValues()
        var model: [UInt64: [UInt8]] = [:]
        // Mostly the log's pattern (append above, drop the oldest), with puts, deletes and
        // range removals anywhere in between.
        var next: UInt64 = 0
        for step in 0..<20_000 {
            switch random.next(below: 10) {
            case 0..<5:
                next += 1
                store.put(next, [UInt8(truncatingIfNeeded: step)])
                model[next] = [UInt8(truncatingIfNeeded: step)]
            case 5:
                let number = random.next(below: next + 2)
                store.put(number, [1])
                model[number] = [1]
            case 6..<8:
                let number = model.keys.min() ?? 0
                store.remove(number)
                model[number] = nil
            case 8:
                let number = random.next(below: next + 2)
                store.remove(number)
                model[number] = nil
            default:
                let low = random.next(below: next + 2)
                let range = low...(low + random.next(below: 64))
                store.removeAll(in: range)
                model = model.filter { !range.contains($0.key) }
            }
            if step % 499 == 0 || step == 19_999 {
                let from = random.next(below: next + 2)
                #expect(Array(store.numbers(from: from)) == model.keys.filter { $0 >= from }.sorted(), "step \(step)")
                #expect(store.count == model.count)
                for number in model.keys.prefix(20) { #expect(store.get(number) == model[number]) }
            }
        }
    }

    private func format4(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

@Suite struct StorageKeyTests {
    @Test func comparesBytesNotCharacters() {
        #expect(StorageKey("\u{E9}") != StorageKey("e\u{301}"))
        #expect("\u{E9}" == "e\u{301}")  // why StorageKey exists
        #expect(StorageKey("e\u{301}") < StorageKey("\u{E9}"))
        #expect(StorageKey("a/") < StorageKey("a0"))
        #expect(StorageKey("a") < StorageKey("a/"))
        #expect(StorageKey("Z") < StorageKey("a"))
        #expect(Set([StorageKey("\u{E9}"), StorageKey("e\u{301}")]).count == 2)
    }

    @Test func prefixUpperBoundIsTheNextStringAfterThePrefixRange() {
        #expect("a/".prefixUpperBound == "a0")
        #expect("ab".prefixUpperBound == "ac")
        #expect("".prefixUpperBound == nil)
        #expect("x\u{10FFFF}".prefixUpperBound == "y")
        #expect("\u{10FFFF}\u{10FFFF}".prefixUpperBound == nil)
        #expect("\u{D7FF}".prefixUpperBound == "\u{E000}")
        #expect("a\u{7F}".prefixUpperBound == "a\u{80}")
    }
}

@Suite struct DirectChildListingTests {
    @Test func seeksPastFoldersAndStopsAtTheLimit() {
        var listing = DirectChildListing(prefix: "p/", after: nil, limit: 2)
        #expect(listing.start.key == "p/" && listing.start.inclusive)
        #expect(listing.end == "p0")
        #expect(listing.consume("p/a") == .next)
        #expect(listing.consume("p/b/x") == .done)
        #expect(listing.names == ["a", "b/"])

        var unlimited = DirectChildListing(prefix: "p/", after: nil, limit: 0)
        #expect(unlimited.consume("p/b/x") == .seek("p/b0"))
        #expect(unlimited.consume("p/b0") == .next)
        #expect(unlimited.names == ["b/", "b0"])
    }

    @Test func afterSkipsNamesUpToAndIncludingIt() {
        var listing = DirectChildListing(prefix: "", after: "b/", limit: nil)
        #expect(listing.start.key == "b/" && !listing.start.inclusive)
        #expect(listing.consume("b/x") == .seek("b0"))
        #expect(listing.names.isEmpty)
        #expect(listing.consume("c") == .next)
        #expect(listing.names == ["c"])
    }
}
