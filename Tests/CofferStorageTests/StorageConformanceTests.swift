import CofferStorage
import CofferTestKit
import Logging
import Testing

/// Every backend runs the shared conformance suite, each case on a fresh, empty store.
@Suite struct StorageConformanceTests {
    @Test("in-memory backend", arguments: StorageConformance.cases)
    func inMemory(_ check: StorageConformanceCase) async throws {
        try await check.run(InMemoryBackend())
    }

    @Test("SQLite backend", arguments: StorageConformance.cases)
    func sqlite(_ check: StorageConformanceCase) async throws {
        try await withTemporaryDirectory { directory in
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: testLogger)
            do {
                try await check.run(backend)
            } catch {
                try? await backend.close()
                throw error
            }
            try await backend.close()
        }
    }
}
