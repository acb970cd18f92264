import CofferStorage

extension StorageConformance {
    static let basics: [StorageConformanceCase] = [
        StorageConformanceCase("get of a missing key is nil") { backend in
            try requireBytes(try await backend.get("missing"), nil, "get(missing)")
            try requireBytes(try await backend.get(""), nil, "get(\"\")")
            try requireBytes(try await backend.get("a/b/c"), nil, "get(a/b/c)")
        },
        StorageConformanceCase("put then get returns the value") { backend in
            try await backend.put("k", [1, 2, 3])
            try requireBytes(try await backend.get("k"), [1, 2, 3], "get(k)")
            try requireBytes(try await backend.get("k/"), nil, "get(k/) is another key")
            try requireBytes(try await backend.get("K"), nil, "keys are case sensitive")
        },
        StorageConformanceCase("put overwrites") { backend in
            try await backend.put("a/k", [1])
            try await backend.put("a/k", [2, 2])
            try requireBytes(try await backend.get("a/k"), [2, 2], "get after overwrite")
            try requireEqual(try await backend.list(prefix: "a/"), ["k"], "an overwritten key lists once")
        },
        StorageConformanceCase("delete removes the key only") { backend in
            try await backend.put("a/k", [1])
            try await backend.put("a/k2", [2])
            try await backend.delete("a/k")
            try requireBytes(try await backend.get("a/k"), nil, "get after delete")
            try requireBytes(try await backend.get("a/k2"), [2], "a sibling survives")
            try requireEqual(try await backend.list(prefix: "a/"), ["k2"], "list after delete")
        },
        StorageConformanceCase("delete of a missing key succeeds") { backend in
            try await backend.delete("never/written")
            try await backend.put("x", [1])
            try await backend.delete("x")
            try await backend.delete("x")
            try requireBytes(try await backend.get("x"), nil, "get after double delete")
        },
        StorageConformanceCase("values keep zero bytes and every byte value") { backend in
            let value: [UInt8] = [0, 0, 1, 0] + (0...255).map { UInt8($0) } + [0]
            try await backend.put("binary", value)
            try requireBytes(try await backend.get("binary"), value, "binary value")
            try await backend.put("zeros", [0, 0, 0])
            try requireBytes(try await backend.get("zeros"), [0, 0, 0], "all-zero value")
        },
        StorageConformanceCase("an empty value is stored, not missing") { backend in
            try await backend.put("empty", [])
            try requireBytes(try await backend.get("empty"), [], "empty value")
            try requireEqual(try await backend.list(prefix: ""), ["empty"], "an empty value lists")
        },
        StorageConformanceCase("large values (1 MiB) round-trip") { backend in
            let value = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 11)) }
            try await backend.put("large", value)
            try requireBytes(try await backend.get("large"), value, "1 MiB value")
            let larger = value + [7]
            try await backend.put("large", larger)
            try requireBytes(try await backend.get("large"), larger, "overwritten 1 MiB value")
        },
        StorageConformanceCase("unicode keys are distinct by their bytes") { backend in
            // U+00E9 and e + U+0301 are canonically equivalent: equal as Swift Strings,
            // but different keys.
            let composed = "u/\u{E9}"
            let decomposed = "u/e\u{301}"
            try await backend.put(composed, [1])
            try await backend.put(decomposed, [2])
            try await backend.put("u/日本/語", [3])
            try await backend.put("u/🔑", [4])
            try requireBytes(try await backend.get(composed), [1], "get(U+00E9)")
            try requireBytes(try await backend.get(decomposed), [2], "get(e + U+0301)")
            try requireBytes(try await backend.get("u/日本/語"), [3], "get(CJK)")
            try requireBytes(try await backend.get("u/🔑"), [4], "get(emoji)")
            let names = try await backend.list(prefix: "u/")
            // Bytewise: e (65) < U+00E9 (C3 A9) < 日 (E6 97 A5) < 🔑 (F0 9F 94 91).
            try require(names.count == 4, "four distinct names, got \(names.count)")
            try require(names.map { Array($0.utf8) } == [
                Array("e\u{301}".utf8), Array("\u{E9}".utf8), Array("日本/".utf8), Array("🔑".utf8),
            ], "unicode names in bytewise order, got \(names.map { Array($0.unicodeScalars.map(\.value)) })")
            try await backend.delete(composed)
            try requireBytes(try await backend.get(decomposed), [2], "deleting U+00E9 keeps e + U+0301")
        },
    ]
}
