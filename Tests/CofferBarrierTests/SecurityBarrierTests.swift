import CofferTestKit
import CofferStorage
import Crypto
import Foundation
import Synchronization
import Testing
@testable import CofferBarrier

@Suite struct SecurityBarrierTests {
    let storage = InMemoryBackend()
    let unsealKey: [UInt8] = (0..<32).map { UInt8($0 &* 7 &+ 3) }

    func unsealedBarrier() async throws -> SecurityBarrier {
        let barrier = SecurityBarrier(storage: storage)
        try await barrier.initialize(unsealKey: unsealKey)
        try await barrier.unseal(unsealKey: unsealKey)
        return barrier
    }

    func code(_ body: () async throws -> Void) async -> BarrierError.Code? {
        do {
            try await body()
            return nil
        } catch let error as BarrierError {
            return error.code
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func initializeWritesKeysInOneBatchAndStaysSealed() async throws {
        let barrier = SecurityBarrier(storage: storage)
        #expect(try await !barrier.isInitialized())
        #expect(barrier.isSealed)
        #expect(await code { try await barrier.unseal(unsealKey: unsealKey) } == .notInitialized)
        try await barrier.initialize(unsealKey: unsealKey, sealConfig: SealConfig(secretShares: 5, secretThreshold: 3))
        #expect(try await barrier.isInitialized())
        #expect(barrier.isSealed)
        #expect(try await storage.list(prefix: "core/") == ["keyring", "root-key", "seal-config"])
        #expect(try await barrier.sealConfig() == SealConfig(secretShares: 5, secretThreshold: 3))
        #expect(await code { try await barrier.initialize(unsealKey: unsealKey) } == .alreadyInitialized)
        // Key blobs are sealed, not plaintext.
        let rootBlob = try #require(try await storage.get(SecurityBarrier.rootKeyPath))
        #expect(rootBlob.count == 32 + Envelope.overhead)
        #expect(Envelope.term(of: rootBlob) == 0)
    }

    @Test func initializeRejectsWrongKeySize() async throws {
        let barrier = SecurityBarrier(storage: storage)
        #expect(await code { try await barrier.initialize(unsealKey: [1, 2, 3]) } == .invalidRequest)
        #expect(try await !barrier.isInitialized())
    }

    @Test func roundTripThroughStorageIsEncrypted() async throws {
        let barrier = try await unsealedBarrier()
        let secret = Array("s3cr3t-value-0123456789".utf8)
        try await barrier.put("logical/1/foo", secret)
        #expect(try await barrier.get("logical/1/foo") == secret)
        #expect(try await barrier.get("logical/1/missing") == nil)
        let raw = try #require(try await storage.get("logical/1/foo"))
        #expect(raw.count == secret.count + Envelope.overhead)
        #expect(Envelope.term(of: raw) == 1)
        #expect(!Data(raw).contains(Data(secret)))
        #expect(try await barrier.list(prefix: "logical/1/") == ["foo"])
        try await barrier.delete("logical/1/foo")
        #expect(try await barrier.get("logical/1/foo") == nil)
    }

    @Test func batchEncryptsEachPutWithItsOwnPath() async throws {
        let barrier = try await unsealedBarrier()
        try await barrier.put("x/old", [9])
        try await barrier.commit(StorageBatch([
            .put(key: "x/a", value: [1]), .put(key: "x/b", value: [2]), .delete(key: "x/old"),
        ]))
        #expect(try await barrier.get("x/a") == [1])
        #expect(try await barrier.get("x/b") == [2])
        #expect(try await barrier.get("x/old") == nil)
        try await barrier.commit(StorageBatch([.deletePrefix("x/")]))
        #expect(try await barrier.list(prefix: "x/") == [])
        #expect(barrier.keyStatus()?.encryptions == 3)
    }

    @Test func tamperedValueFailsClosedNamingPathOnly() async throws {
        let barrier = try await unsealedBarrier()
        let secret = Array("top secret".utf8)
        try await barrier.put("logical/1/foo", secret)
        let raw = try #require(try await storage.get("logical/1/foo"))
        for index in raw.indices {
            var tampered = raw
            tampered[index] ^= 0x20
            try await storage.put("logical/1/foo", tampered)
            do {
                _ = try await barrier.get("logical/1/foo")
                Issue.record("tampering with byte \(index) went unnoticed")
            } catch let error as BarrierError {
                #expect(error.code == .integrity)
                #expect(error.message.contains("logical/1/foo"))
                #expect(!error.message.contains("top secret"))
            }
        }
    }

    @Test func valueMovedToAnotherPathFails() async throws {
        let barrier = try await unsealedBarrier()
        try await barrier.put("logical/1/mine", Array("data".utf8))
        let raw = try #require(try await storage.get("logical/1/mine"))
        try await storage.put("logical/1/yours", raw)
        #expect(await code { _ = try await barrier.get("logical/1/yours") } == .integrity)
        #expect(try await barrier.get("logical/1/mine") == Array("data".utf8))
    }

    @Test func plaintextOrUnknownTermFails() async throws {
        let barrier = try await unsealedBarrier()
        try await storage.put("plain", Array("not an envelope".utf8))
        #expect(await code { _ = try await barrier.get("plain") } == .integrity)
        let foreign = try Envelope.seal([1], term: 7, key: SymmetricKey(size: .bits256), path: "foreign")
        try await storage.put("foreign", foreign)
        #expect(await code { _ = try await barrier.get("foreign") } == .integrity)
        #expect(throws: BarrierError.self) { try barrier.decrypt(path: "foreign", ciphertext: foreign) }
    }

    @Test func reservedPathsCannotBeWrittenThroughTheBarrier() async throws {
        let barrier = try await unsealedBarrier()
        for path in SecurityBarrier.reservedPaths {
            #expect(await code { try await barrier.put(path, [1]) } == .invalidRequest)
            #expect(await code { try await barrier.delete(path) } == .invalidRequest)
        }
        #expect(await code { try await barrier.commit(StorageBatch([.deletePrefix("core/")])) } == .invalidRequest)
        #expect(await code { try await barrier.commit(StorageBatch([.deletePrefix("")])) } == .invalidRequest)
        // Refused batches write nothing, not even their allowed parts.
        #expect(await code {
            try await barrier.commit(StorageBatch([.put(key: "ok", value: [1]), .delete(key: "core/keyring")]))
        } == .invalidRequest)
        #expect(try await storage.get("ok") == nil)
        try await barrier.commit(StorageBatch([.deletePrefix("core/mounts")]))
    }

    @Test func rotateKeepsOldTermsReadable() async throws {
        let times = TestClock(start: Date(timeIntervalSince1970: 1_700_000_000))
        let barrier = SecurityBarrier(storage: storage, now: times.now)
        try await barrier.initialize(unsealKey: unsealKey)
        try await barrier.unseal(unsealKey: unsealKey)
        let before = try #require(barrier.keyStatus())
        #expect(before.term == 1)
        #expect(before.installTime == Date(timeIntervalSince1970: 1_700_000_000))
        try await barrier.put("a", [1])
        #expect(barrier.keyStatus()?.encryptions == 1)

        times.advance(3600)
        let info = try await barrier.rotate()
        #expect(info.term == 2)
        #expect(info.installTime == Date(timeIntervalSince1970: 1_700_003_600))
        let after = try #require(barrier.keyStatus())
        #expect(after.term == 2)
        #expect(after.encryptions == 0)
        try await barrier.put("b", [2])
        #expect(Envelope.term(of: try #require(try await storage.get("a"))) == 1)
        #expect(Envelope.term(of: try #require(try await storage.get("b"))) == 2)
        #expect(try await barrier.get("a") == [1])
        #expect(try await barrier.get("b") == [2])

        // The rotation was persisted: a new process sees both terms.
        let restarted = SecurityBarrier(storage: storage)
        try await restarted.unseal(unsealKey: unsealKey)
        #expect(restarted.keyStatus()?.term == 2)
        #expect(try await restarted.get("a") == [1])
        #expect(try await restarted.get("b") == [2])
    }

    @Test func concurrentRotationsMintDistinctTerms() async throws {
        let barrier = try await unsealedBarrier()
        let terms = try await withThrowingTaskGroup(of: UInt32.self) { group in
            for _ in 0..<8 {
                group.addTask { try await barrier.rotate().term }
            }
            return try await group.reduce(into: [UInt32]()) { $0.append($1) }
        }
        #expect(Set(terms) == Set(2...9))
        let restarted = SecurityBarrier(storage: storage)
        try await restarted.unseal(unsealKey: unsealKey)
        #expect(restarted.keyStatus()?.term == 9)
    }

    @Test func sealedBarrierRefusesEverything() async throws {
        let barrier = try await unsealedBarrier()
        try await barrier.put("a", [1])
        barrier.seal()
        #expect(barrier.isSealed)
        #expect(barrier.keyStatus() == nil)
        #expect(await code { _ = try await barrier.get("a") } == .sealed)
        #expect(await code { _ = try await barrier.list(prefix: "") } == .sealed)
        #expect(await code { try await barrier.put("b", [2]) } == .sealed)
        #expect(await code { _ = try await barrier.rotate() } == .sealed)
        #expect(await code { try await barrier.rekey(newUnsealKey: unsealKey) } == .sealed)
        #expect(throws: BarrierError.self) { try barrier.encrypt(path: "a", plaintext: [1]) }
        #expect(try await storage.get("b") == nil)
        try await barrier.unseal(unsealKey: unsealKey)
        #expect(try await barrier.get("a") == [1])
    }

    @Test func wrongUnsealKeyLeavesItSealed() async throws {
        let barrier = SecurityBarrier(storage: storage)
        try await barrier.initialize(unsealKey: unsealKey)
        var wrong = unsealKey
        wrong[0] ^= 1
        #expect(await code { try await barrier.unseal(unsealKey: wrong) } == .invalidKey)
        #expect(await code { try await barrier.unseal(unsealKey: Array(unsealKey.prefix(31))) } == .invalidKey)
        #expect(await code { try await barrier.unseal(unsealKey: []) } == .invalidKey)
        #expect(barrier.isSealed)
        #expect(await code { _ = try await barrier.get("a") } == .sealed)
        try await barrier.unseal(unsealKey: unsealKey)
        #expect(!barrier.isSealed)
    }

    @Test func corruptKeyringFailsUnsealWithIntegrity() async throws {
        let barrier = SecurityBarrier(storage: storage)
        try await barrier.initialize(unsealKey: unsealKey)
        var keyring = try #require(try await storage.get(SecurityBarrier.keyringPath))
        keyring[keyring.count - 1] ^= 1
        try await storage.put(SecurityBarrier.keyringPath, keyring)
        #expect(await code { try await barrier.unseal(unsealKey: unsealKey) } == .integrity)
        #expect(barrier.isSealed)
        try await storage.delete(SecurityBarrier.keyringPath)
        #expect(await code { try await barrier.unseal(unsealKey: unsealKey) } == .integrity)
    }

    @Test func keyringFromAnotherInstallationIsRejected() async throws {
        let other = InMemoryBackend()
        try await SecurityBarrier(storage: other).initialize(unsealKey: unsealKey)
        let barrier = SecurityBarrier(storage: storage)
        try await barrier.initialize(unsealKey: unsealKey)
        // Same unseal key, but the keyring is sealed by the other installation's root key.
        try await storage.put(SecurityBarrier.keyringPath, try #require(try await other.get(SecurityBarrier.keyringPath)))
        #expect(await code { try await barrier.unseal(unsealKey: unsealKey) } == .integrity)
    }

    @Test func restartThenUnsealReadsOldData() async throws {
        let barrier = try await unsealedBarrier()
        try await barrier.put("sys/policy/a", Array("path \"*\" {}".utf8))
        let restarted = SecurityBarrier(storage: storage)
        #expect(restarted.isSealed)
        #expect(try await restarted.isInitialized())
        try await restarted.unseal(unsealKey: unsealKey)
        #expect(try await restarted.get("sys/policy/a") == Array("path \"*\" {}".utf8))
    }

    @Test func unsealWhenUnsealedIsANoOp() async throws {
        let barrier = try await unsealedBarrier()
        try await barrier.unseal(unsealKey: [UInt8](repeating: 0, count: 32))
        #expect(!barrier.isSealed)
    }

    @Test func rekeyChangesOnlyTheUnsealKey() async throws {
        let barrier = try await unsealedBarrier()
        try await barrier.put("a", [1])
        let keyringBefore = try await storage.get(SecurityBarrier.keyringPath)
        let newKey: [UInt8] = (0..<32).map { UInt8(255 - $0) }
        try await barrier.rekey(newUnsealKey: newKey, sealConfig: SealConfig(secretShares: 3, secretThreshold: 2))
        #expect(try await storage.get(SecurityBarrier.keyringPath) == keyringBefore)
        #expect(try await barrier.sealConfig() == SealConfig(secretShares: 3, secretThreshold: 2))
        #expect(await code { try await barrier.rekey(newUnsealKey: [1]) } == .invalidRequest)

        let restarted = SecurityBarrier(storage: storage)
        #expect(await code { try await restarted.unseal(unsealKey: unsealKey) } == .invalidKey)
        try await restarted.unseal(unsealKey: newKey)
        #expect(try await restarted.get("a") == [1])
    }

    @Test func publicEncryptDecryptForReplication() async throws {
        let barrier = try await unsealedBarrier()
        let sealed = try barrier.encrypt(path: "logical/9/k", plaintext: [4, 5, 6])
        #expect(try barrier.decrypt(path: "logical/9/k", ciphertext: sealed) == [4, 5, 6])
        #expect(throws: BarrierError.self) { try barrier.decrypt(path: "logical/9/other", ciphertext: sealed) }
        try await storage.put("logical/9/k", sealed)
        #expect(try await barrier.get("logical/9/k") == [4, 5, 6])
    }

    @Test func fullUnsealFlowWithShares() async throws {
        var rng = SeededGenerator(seed: 2024)
        let key = rng.bytes(32)
        let shares = try Shamir.split(secret: key, shares: 5, threshold: 3, using: &rng)
        let barrier = SecurityBarrier(storage: storage)
        try await barrier.initialize(unsealKey: key)
        var progress = UnsealProgress(threshold: 3)
        #expect(progress.submit(share: shares[4]) == .progress(1))
        #expect(progress.submit(share: shares[1]) == .progress(2))
        guard case .combine(let collected) = progress.submit(share: shares[2]) else {
            Issue.record("expected combine")
            return
        }
        try await barrier.unseal(unsealKey: try Shamir.combine(collected, threshold: 3))
        #expect(!barrier.isSealed)
    }

    @Test func descriptionIsRedacted() async throws {
        let barrier = try await unsealedBarrier()
        var dumped = ""
        dump(barrier, to: &dumped)
        let keyring = try barrier.currentKeyring()
        let secrets = [KeyringTests.bytes(keyring.rootKey), KeyringTests.bytes(keyring.active.key), unsealKey]
        for text in [String(describing: barrier), String(reflecting: barrier), dumped] {
            for secret in secrets {
                #expect(!text.lowercased().contains(secret.hex))
                #expect(!text.contains(secret.map(String.init).joined(separator: ", ")))
            }
        }
        #expect(String(describing: barrier) == "SecurityBarrier(storage: inmem, sealed: false)")
    }
}

/// A settable clock for install times.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(start: Date) { current = Mutex(start) }
    var now: @Sendable () -> Date { { self.current.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
