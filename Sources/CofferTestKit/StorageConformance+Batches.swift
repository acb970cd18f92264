import CofferStorage

extension StorageConformance {
    static let batches: [StorageConformanceCase] = [
        StorageConformanceCase("a batch applies its operations in order") { backend in
            try await backend.commit(StorageBatch([.put(key: "k", value: [1]), .delete(key: "k")]))
            try requireBytes(try await backend.get("k"), nil, "put then delete")
            try await backend.commit(StorageBatch([.delete(key: "j"), .put(key: "j", value: [2])]))
            try requireBytes(try await backend.get("j"), [2], "delete then put")
            try await backend.commit(StorageBatch([.put(key: "m", value: [1]), .put(key: "m", value: [2])]))
            try requireBytes(try await backend.get("m"), [2], "the last put wins")
        },
        StorageConformanceCase("deletePrefix and put in one batch keep their order") { backend in
            try await putAll(backend, ["t/a", "t/b/c"])
            try await backend.commit(StorageBatch([.deletePrefix("t/"), .put(key: "t/c", value: [3])]))
            try requireEqual(try await backend.list(prefix: "t/"), ["c"], "deletePrefix then put")
            try await backend.commit(StorageBatch([.put(key: "t/d", value: [4]), .deletePrefix("t/")]))
            try requireEqual(try await backend.list(prefix: "t/"), [], "put then deletePrefix")
            try requireBytes(try await backend.get("t/d"), nil, "get after put then deletePrefix")
        },
        StorageConformanceCase("a batch of many operations lands whole") { backend in
            let operations = (0..<500).map { StorageOperation.put(key: "many/\($0)", value: [UInt8($0 % 256)]) }
            try await backend.commit(StorageBatch(operations))
            try requireEqual(try await backend.list(prefix: "many/").count, 500, "keys after one batch")
            try requireBytes(try await backend.get("many/499"), [UInt8(499 % 256)], "the last key")
        },
        StorageConformanceCase("an empty batch commits and changes nothing") { backend in
            try await putAll(backend, ["e/1"])
            try await backend.commit(StorageBatch())
            try requireEqual(try await backend.list(prefix: "e/"), ["1"], "list after an empty batch")
        },
        StorageConformanceCase("deletePrefix removes that prefix only, not its siblings") { backend in
            try await putAll(backend, ["a", "a/x", "a/y/z", "ab", "ab/c", "a0", "a.", "b/a/x"])
            try await backend.commit(StorageBatch([.deletePrefix("a/")]))
            try requireEqual(try await backend.list(prefix: "a/"), [], "list(a/) after deletePrefix(a/)")
            try requireEqual(try await backend.list(prefix: ""), ["a", "a.", "a0", "ab", "ab/", "b/"], "list(\"\")")
            try requireBytes(try await backend.get("a"), Array("a".utf8), "the key named like the folder survives")
            try requireBytes(try await backend.get("ab/c"), Array("ab/c".utf8), "a sibling folder survives")
            try requireBytes(try await backend.get("b/a/x"), Array("b/a/x".utf8), "the same name elsewhere survives")
        },
        StorageConformanceCase("deletePrefix off a folder boundary removes every key starting with it") { backend in
            try await putAll(backend, ["ab", "abc/d", "abz", "a/b", "aa", "ac"])
            try await backend.commit(StorageBatch([.deletePrefix("ab")]))
            try requireEqual(try await backend.list(prefix: ""), ["a/", "aa", "ac"], "list(\"\") after deletePrefix(ab)")
        },
        StorageConformanceCase("deletePrefix of a missing prefix changes nothing") { backend in
            try await putAll(backend, ["x/1", "y"])
            try await backend.commit(StorageBatch([.deletePrefix("z/")]))
            try await backend.commit(StorageBatch([.deletePrefix("x/1/")]))
            try requireEqual(try await backend.list(prefix: ""), ["x/", "y"], "list(\"\")")
        },
        StorageConformanceCase("deletePrefix of the empty prefix removes everything") { backend in
            try await putAll(backend, ["x/1", "y", "z/z/z"])
            try await backend.commit(StorageBatch([.deletePrefix("")]))
            try requireEqual(try await backend.list(prefix: ""), [], "list(\"\")")
            try requireBytes(try await backend.get("y"), nil, "get(y)")
        },
        StorageConformanceCase("deletePrefix ending in the last Unicode scalar keeps what follows") { backend in
            try await putAll(backend, ["x\u{10FFFF}", "x\u{10FFFF}a", "x\u{10FFFF}\u{10FFFF}", "y", "x"])
            try await backend.commit(StorageBatch([.deletePrefix("x\u{10FFFF}")]))
            try requireEqual(try await backend.list(prefix: ""), ["x", "y"], "list(\"\")")
        },
    ]
}
