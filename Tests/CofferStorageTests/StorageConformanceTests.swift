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

    @Test("in-memory backend with a commit interceptor", arguments: StorageConformance.cases)
    func inMemoryIntercepted(_ check: StorageConformanceCase) async throws {
        let backend = InMemoryBackend()
        backend.setCommitInterceptor(PassThroughInterceptor())
        try await check.run(backend)
    }

    @Test("SQLite backend with a commit interceptor", arguments: StorageConformance.cases)
    func sqliteIntercepted(_ check: StorageConformanceCase) async throws {
        try await withTemporaryDirectory { directory in
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: testLogger)
            backend.setCommitInterceptor(PassThroughInterceptor())
            do {
                try await check.run(backend)
            } catch {
                try? await backend.close()
                throw error
            }
            try await backend.close()
        }
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

/// Adds nothing: the interception path itself must not change what a backend does.
final class PassThroughInterceptor: CommitInterceptor {
    func prepare(_ batches: [StorageBatch]) throws -> [StorageOperation] { [] }
    func committed() {}
    func aborted() {}
}
