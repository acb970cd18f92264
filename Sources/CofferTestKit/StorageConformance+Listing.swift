import CofferStorage

extension StorageConformance {
    static let listing: [StorageConformanceCase] = [
        StorageConformanceCase("list gives direct children, folders once, bytewise sorted") { backend in
            try await putAll(backend, [
                "a/x", "a/b/c", "a/b/d", "a/b/e/f", "a/c", "a/c/d", "a/0", "a/!", "a/b!", "a/b0",
                "a", "ab", "b/x",
            ])
            // "!" (21) < "0" (30) < "b!" < "b/" < "b0": a folder sorts by its trailing "/",
            // and "b0" is the first key after everything under "b/".
            try requireEqual(try await backend.list(prefix: "a/"),
                             ["!", "0", "b!", "b/", "b0", "c", "c/", "x"], "list(a/)")
        },
        StorageConformanceCase("list of the empty prefix gives the top level") { backend in
            try await putAll(backend, ["a", "a/b", "b/c/d", "c", "b/e"])
            try requireEqual(try await backend.list(prefix: ""), ["a", "a/", "b/", "c"], "list(\"\")")
        },
        StorageConformanceCase("list of a prefix off a folder boundary cuts names after the prefix") { backend in
            try await putAll(backend, ["foo", "foobar", "foo/x", "fob/y", "fo/z", "fp", "f"])
            try requireEqual(try await backend.list(prefix: "fo"), ["/", "b/", "o", "o/", "obar"], "list(fo)")
        },
        StorageConformanceCase("list of deep keys gives one level at a time") { backend in
            try await putAll(backend, ["d/1/2/3/4/5", "d/1/2/x", "d/1/y", "d/z"])
            try requireEqual(try await backend.list(prefix: "d/"), ["1/", "z"], "list(d/)")
            try requireEqual(try await backend.list(prefix: "d/1/"), ["2/", "y"], "list(d/1/)")
            try requireEqual(try await backend.list(prefix: "d/1/2/3/"), ["4/"], "list(d/1/2/3/)")
            try requireEqual(try await backend.list(prefix: "d/1/2/3/4/"), ["5"], "list(d/1/2/3/4/)")
        },
        StorageConformanceCase("list of a missing prefix is empty") { backend in
            try requireEqual(try await backend.list(prefix: ""), [], "list(\"\") of an empty store")
            try await putAll(backend, ["a/b"])
            try requireEqual(try await backend.list(prefix: "b/"), [], "list(b/)")
            try requireEqual(try await backend.list(prefix: "a/b/"), [], "a key is not a folder")
            try requireEqual(try await backend.list(prefix: "a/c"), [], "list(a/c)")
        },
        StorageConformanceCase("a key equal to the prefix lists as the empty name") { backend in
            try await putAll(backend, ["q", "q/", "q/a", "qr"])
            try requireEqual(try await backend.list(prefix: "q/"), ["", "a"], "list(q/)")
            try requireEqual(try await backend.list(prefix: "q"), ["", "/", "r"], "list(q)")
            try requireEqual(try await backend.list(prefix: "q", after: "", limit: nil), ["/", "r"], "list(q) after \"\"")
        },
        StorageConformanceCase("list of a big sub-folder gives it once") { backend in
            try await backend.commit(StorageBatch((0..<3000).map { .put(key: "big/sub/\($0)/leaf", value: [1]) }))
            try await putAll(backend, ["big/a", "big/z", "big/sub0"])
            try requireEqual(try await backend.list(prefix: "big/"), ["a", "sub/", "sub0", "z"], "list(big/)")
            try requireEqual(try await backend.list(prefix: "big/sub/").count, 3000, "list(big/sub/) count")
        },
        StorageConformanceCase("list after gives names strictly greater") { backend in
            try await putAll(backend, ["p/a", "p/b/1", "p/b/2", "p/c", "p/d/x", "p/e"])
            try requireEqual(try await backend.list(prefix: "p/", after: "a", limit: nil), ["b/", "c", "d/", "e"], "after a")
            try requireEqual(try await backend.list(prefix: "p/", after: "b/", limit: nil), ["c", "d/", "e"], "after b/")
            try requireEqual(try await backend.list(prefix: "p/", after: "b", limit: nil), ["b/", "c", "d/", "e"], "after b (absent)")
            try requireEqual(try await backend.list(prefix: "p/", after: "b/1", limit: nil), ["c", "d/", "e"], "after b/1")
            try requireEqual(try await backend.list(prefix: "p/", after: "bz", limit: nil), ["c", "d/", "e"], "after bz")
            try requireEqual(try await backend.list(prefix: "p/", after: "e", limit: nil), [], "after the last name")
            try requireEqual(try await backend.list(prefix: "p/", after: "", limit: nil), ["a", "b/", "c", "d/", "e"], "after \"\"")
        },
        StorageConformanceCase("list limit caps the count; zero or negative means no limit") { backend in
            try await putAll(backend, ["p/a", "p/b/1", "p/b/2", "p/c", "p/d/x", "p/e"])
            let all = ["a", "b/", "c", "d/", "e"]
            try requireEqual(try await backend.list(prefix: "p/", after: nil, limit: 2), ["a", "b/"], "limit 2")
            try requireEqual(try await backend.list(prefix: "p/", after: nil, limit: 1), ["a"], "limit 1")
            try requireEqual(try await backend.list(prefix: "p/", after: nil, limit: 0), all, "limit 0")
            try requireEqual(try await backend.list(prefix: "p/", after: nil, limit: -3), all, "limit -3")
            try requireEqual(try await backend.list(prefix: "p/", after: nil, limit: 50), all, "limit 50")
            try requireEqual(try await backend.list(prefix: "p/", after: "b/", limit: 2), ["c", "d/"], "after b/ limit 2")
        },
        StorageConformanceCase("paging with after and limit visits every name once") { backend in
            var expected: [String] = []
            var operations: [StorageOperation] = []
            for index in 0..<200 {
                let name = "k" + String(index).leftPadded(to: 3)
                expected.append(name)
                operations.append(.put(key: "page/" + name, value: [UInt8(index % 256)]))
            }
            for index in 0..<100 {
                let name = "f\(index)"
                expected.append(name + "/")
                operations.append(.put(key: "page/\(name)/x", value: [1]))
                operations.append(.put(key: "page/\(name)/y/z", value: [2]))
            }
            try await backend.commit(StorageBatch(operations))
            expected.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }

            var seen: [String] = []
            var after: String?
            while true {
                let page = try await backend.list(prefix: "page/", after: after, limit: 7)
                try require(page.count <= 7, "a page holds at most the limit, got \(page.count)")
                guard let last = page.last else { break }
                seen += page
                after = last
            }
            try requireEqual(seen, expected, "names seen while paging")
            try requireEqual(try await backend.list(prefix: "page/"), expected, "one unpaged list")
        },
    ]

    static func putAll(_ backend: any StorageBackend, _ keys: [String]) async throws {
        try await backend.commit(StorageBatch(keys.map { .put(key: $0, value: Array($0.utf8)) }))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
