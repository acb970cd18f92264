import CofferStorage
import Testing
@testable import CofferBarrier

/// A secondary joins with the primary's stored key entries and root key, and follows
/// the primary's rotations by reloading the replicated keyring.
@Suite struct BarrierReplicationTests {
    let unsealKey: [UInt8] = (0..<32).map { UInt8($0 &* 5 &+ 1) }

    func copy(_ entries: [(key: String, value: [UInt8])], into storage: InMemoryBackend) async throws {
        try await storage.commit(StorageBatch(entries.map { .put(key: $0.key, value: $0.value) }))
    }

    @Test func secondaryUnsealsWithRootKeyAndReadsPrimaryCiphertext() async throws {
        let primary = SecurityBarrier(storage: InMemoryBackend())
        try await primary.initialize(unsealKey: unsealKey, sealConfig: SealConfig(secretShares: 1, secretThreshold: 1))
        try await primary.unseal(unsealKey: unsealKey)
        try await primary.put("logical/x/secret", Array("value-1".utf8))

        let secondaryStorage = InMemoryBackend()
        try await copy(try await primary.storedKeyEntries(), into: secondaryStorage)
        let ciphertext = try #require(try await primary.storage.get("logical/x/secret"))
        try await secondaryStorage.put("logical/x/secret", ciphertext)

        let secondary = SecurityBarrier(storage: secondaryStorage)
        try await secondary.unseal(rootKey: try primary.rootKeyForBootstrap())
        #expect(try await secondary.get("logical/x/secret") == Array("value-1".utf8))
        #expect(try await primary.storedKeyEntries().map(\.key) == ["core/seal-config", "core/root-key", "core/keyring"])

        // The primary's unseal key opens the secondary too once sealed.
        secondary.seal()
        try await secondary.unseal(unsealKey: unsealKey)
        #expect(!secondary.isSealed)
    }

    @Test func rotationReachesTheSecondaryThroughReload() async throws {
        let primary = SecurityBarrier(storage: InMemoryBackend())
        try await primary.initialize(unsealKey: unsealKey)
        try await primary.unseal(unsealKey: unsealKey)
        let secondaryStorage = InMemoryBackend()
        try await copy(try await primary.storedKeyEntries(), into: secondaryStorage)
        let secondary = SecurityBarrier(storage: secondaryStorage)
        try await secondary.unseal(rootKey: try primary.rootKeyForBootstrap())

        let term = try await primary.rotate()
        try await primary.put("logical/x/after", Array("rotated".utf8))
        try await copy(try await primary.storedKeyEntries(), into: secondaryStorage)
        try await secondaryStorage.put("logical/x/after", try #require(try await primary.storage.get("logical/x/after")))
        await #expect(throws: BarrierError.self) { _ = try await secondary.get("logical/x/after") }
        try await secondary.reloadKeyring()
        #expect(try await secondary.get("logical/x/after") == Array("rotated".utf8))
        #expect(secondary.keyStatus()?.term == term.term)
    }

    @Test func wrongRootKeyIsRefusedAndStaysSealed() async throws {
        let primary = SecurityBarrier(storage: InMemoryBackend())
        try await primary.initialize(unsealKey: unsealKey)
        let storage = InMemoryBackend()
        try await copy(try await primary.storedKeyEntries(), into: storage)
        let secondary = SecurityBarrier(storage: storage)
        await #expect(throws: BarrierError.self) { try await secondary.unseal(rootKey: Array(repeating: 9, count: 32)) }
        await #expect(throws: BarrierError.self) { try await secondary.unseal(rootKey: [1, 2, 3]) }
        #expect(secondary.isSealed)
    }
}
