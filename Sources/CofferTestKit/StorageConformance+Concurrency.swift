import CofferStorage

extension StorageConformance {
    static let concurrency: [StorageConformanceCase] = [
        StorageConformanceCase("100 concurrent commits are all visible afterwards") { backend in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        try await backend.commit(StorageBatch([
                            .put(key: "c/\(index)", value: [UInt8(index)]),
                            .put(key: "c/\(index)/twin", value: [UInt8(index), 1]),
                        ]))
                    }
                }
                try await group.waitForAll()
            }
            for index in 0..<100 {
                try requireBytes(try await backend.get("c/\(index)"), [UInt8(index)], "get(c/\(index))")
                try requireBytes(try await backend.get("c/\(index)/twin"), [UInt8(index), 1], "get(c/\(index)/twin)")
            }
            try requireEqual(try await backend.list(prefix: "c/").count, 200, "names under c/ (a key and a folder each)")
        },
        StorageConformanceCase("concurrent writes to one key leave one written value") { backend in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask { try await backend.put("same", [UInt8(index), UInt8(index)]) }
                }
                try await group.waitForAll()
            }
            let value = try await backend.get("same")
            try require(value.map { $0.count == 2 && $0[0] == $0[1] && $0[0] < 50 } == true,
                        "the value is one of the written ones, got \(String(describing: value))")
        },
        StorageConformanceCase("readers never see half a batch") { backend in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 0..<40 {
                        try await backend.commit(StorageBatch((0..<10).map {
                            .put(key: "atom/\($0)", value: [UInt8(round)])
                        }))
                        try await backend.commit(StorageBatch([.deletePrefix("atom/")]))
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        for _ in 0..<80 {
                            let count = try await backend.list(prefix: "atom/").count
                            try require(count == 0 || count == 10, "a reader saw \(count) of a 10-key batch")
                        }
                    }
                }
                try await group.waitForAll()
            }
        },
    ]
}
