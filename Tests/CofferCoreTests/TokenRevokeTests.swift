import CofferJSON
import CofferLogical
import Testing
@testable import CofferCore

@Suite struct TokenRevokeTests {
    /// root → a → (b1 → (c1, c2), b2)
    struct Tree {
        var a: AuthInfo
        var b1: AuthInfo
        var b2: AuthInfo
        var c1: AuthInfo
        var c2: AuthInfo
        var all: [AuthInfo] { [a, b1, b2, c1, c2] }
    }

    func tree(_ harness: TokenHarness) async throws -> Tree {
        let a = try await harness.create(["policies": ["p", "q"], "ttl": "10h"])
        let b1 = try await harness.create(["policies": ["p"], "ttl": "10h"], token: a.clientToken)
        let b2 = try await harness.create(["policies": ["q"], "ttl": "10h"], token: a.clientToken)
        let c1 = try await harness.create(["ttl": "10h"], token: b1.clientToken)
        let c2 = try await harness.create(["ttl": "10h"], token: b1.clientToken)
        return Tree(a: a, b1: b1, b2: b2, c1: c1, c2: c2)
    }

    @Test func revokingAParentRevokesItsWholeSubtree() async throws {
        let harness = try await TokenHarness.make()
        let tree = try await tree(harness)
        let bystander = try await harness.create(["policies": ["p"]])
        harness.clock.advance(60)
        for token in tree.all { #expect(try await harness.lookup(token.clientToken) != nil) }

        #expect(try await harness.call(.update, "revoke", ["token": .string(tree.a.clientToken)]) == nil)

        for token in tree.all { #expect(try await harness.lookup(token.clientToken) == nil) }
        #expect(try await harness.lookup(bystander.clientToken) != nil)
        #expect(try await harness.lookup(harness.rootToken) != nil)
        // The hook saw each revoked token exactly once, children before their parent.
        let ids = tree.all.map { harness.store.saltedID($0.clientToken) }
        #expect(Set(harness.log.ids) == Set(ids))
        #expect(harness.log.ids.count == ids.count)
        let position = { (id: String) in harness.log.ids.firstIndex(of: id)! }
        #expect(position(ids[3]) < position(ids[1]) && position(ids[4]) < position(ids[1]))
        #expect(position(ids[1]) < position(ids[0]) && position(ids[2]) < position(ids[0]))
        // Nothing of them is left in storage: entries, accessors, parent index.
        #expect(try await harness.keys(under: TokenStore.idPrefix).count == 2)
        #expect(try await harness.keys(under: TokenStore.accessorPrefix).count == 2)
        let root = try #require(try await harness.lookup(harness.rootToken))
        #expect(try await harness.keys(under: TokenStore.parentPrefix) == [root.id + "/"])
        // Accessor lookups fail as Vault's do.
        let error = await logicalError {
            _ = try await harness.call(.update, "lookup-accessor", ["accessor": .string(tree.c1.accessor)])
        }
        #expect(error?.messages == ["invalid accessor"])
    }

    @Test func revokeOrphanKeepsChildrenAliveAsOrphans() async throws {
        let harness = try await TokenHarness.make()
        let tree = try await tree(harness)
        let denied = await logicalError {
            _ = try await harness.call(.update, "revoke-orphan", ["token": .string(tree.b1.clientToken)], token: tree.a.clientToken)
        }
        #expect(denied?.messages == ["root or sudo privileges required to revoke and orphan"])

        #expect(try await harness.call(.update, "revoke-orphan", ["token": .string(tree.a.clientToken)]) == nil)
        #expect(try await harness.lookup(tree.a.clientToken) == nil)
        #expect(harness.log.ids == [harness.store.saltedID(tree.a.clientToken)])
        let b1 = try #require(try await harness.lookup(tree.b1.clientToken))
        #expect(b1.isOrphan)
        #expect(try await harness.lookup(tree.b2.clientToken)?.isOrphan == true)
        let c1 = try #require(try await harness.lookup(tree.c1.clientToken))
        #expect(c1.parent == b1.id)
        let data = try #require(try await harness.call(.update, "lookup", ["token": .string(tree.b1.clientToken)])?.data)
        #expect(data["orphan"] == .bool(true))
        // The orphans are still a tree of their own.
        _ = try await harness.call(.update, "revoke", ["token": .string(tree.b1.clientToken)])
        #expect(try await harness.lookup(tree.c1.clientToken) == nil)
        #expect(try await harness.lookup(tree.c2.clientToken) == nil)
        #expect(try await harness.lookup(tree.b2.clientToken) != nil)
        let missing = await logicalError { _ = try await harness.call(.update, "revoke-orphan", ["token": "nope"]) }
        #expect(missing?.messages == ["token to revoke not found"])
    }

    @Test func revokeByAccessorSelfAndUnknown() async throws {
        let harness = try await TokenHarness.make()
        let tree = try await tree(harness)
        #expect(try await harness.call(.update, "revoke-accessor", ["accessor": .string(tree.b1.accessor)]) == nil)
        #expect(try await harness.lookup(tree.b1.clientToken) == nil)
        #expect(try await harness.lookup(tree.c2.clientToken) == nil)
        let lookup = await logicalError { _ = try await harness.call(.update, "lookup", ["token": .string(tree.b1.clientToken)]) }
        #expect(lookup?.code == .permissionDenied)
        let again = await logicalError { _ = try await harness.call(.update, "revoke-accessor", ["accessor": .string(tree.b1.accessor)]) }
        #expect(again?.messages == ["invalid accessor"])

        #expect(try await harness.call(.update, "revoke-self", token: tree.b2.clientToken) == nil)
        #expect(try await harness.lookup(tree.b2.clientToken) == nil)
        #expect(try await harness.lookup(tree.a.clientToken) != nil)

        #expect(try await harness.call(.update, "revoke", ["token": "hvs.unknown"]) == nil)
        let empty = await logicalError { _ = try await harness.call(.update, "revoke") }
        #expect(empty?.messages == ["missing token ID"])
    }

    @Test func parentExpiryEndsChildrenAndTidyCleansUp() async throws {
        let harness = try await TokenHarness.make()
        let parent = try await harness.create(["policies": ["p"], "ttl": "1h"])
        let child = try await harness.create(["ttl": "10h"], token: parent.clientToken)
        let grandchild = try await harness.create(["ttl": "10h"], token: child.clientToken)
        harness.clock.advance(3599)
        #expect(try await harness.lookup(grandchild.clientToken) != nil)
        harness.clock.advance(1)
        #expect(try await harness.lookup(parent.clientToken) == nil)
        #expect(try await harness.lookup(child.clientToken) == nil)
        #expect(try await harness.lookup(grandchild.clientToken) == nil)
        let response = try #require(try await harness.call(.update, "tidy"))
        #expect(response.statusCode == 202)
        #expect((response.data?["tokens_revoked"]?.intValue ?? 0) >= 1)
        #expect(!response.warnings.isEmpty)
        #expect(try await harness.keys(under: TokenStore.idPrefix).count == 1)
        #expect(Set(harness.log.ids).count == 3)
    }

    @Test func failingHookLeavesTheSubtreeDeadAndARetryFinishes() async throws {
        let harness = try await TokenHarness.make()
        let tree = try await tree(harness)
        harness.log.failNext(1)
        let failed = await logicalErrorOrOther { _ = try await harness.call(.update, "revoke", ["token": .string(tree.a.clientToken)]) }
        #expect(failed)
        // Nothing was deleted, yet nothing in the subtree authenticates any more.
        #expect(try await harness.keys(under: TokenStore.idPrefix).count == 6)
        for token in tree.all { #expect(try await harness.lookup(token.clientToken) == nil) }
        #expect(try await harness.store.entry(forToken: tree.a.clientToken)?.revocationPending == true)
        // Revoking again resumes.
        _ = try await harness.call(.update, "revoke", ["token": .string(tree.a.clientToken)])
        #expect(try await harness.keys(under: TokenStore.idPrefix).count == 1)
        #expect(Set(harness.log.ids).count == 5)
    }

    @Test func interruptedRevocationIsFinishedByTidy() async throws {
        let harness = try await TokenHarness.make()
        let tree = try await tree(harness)
        // Simulate a crash right after step 1: the top is marked, nothing deleted.
        var top = try #require(try await harness.lookup(tree.a.clientToken))
        top.revocationPending = true
        try await harness.barrier.put(TokenStore.idPrefix + top.id, top.storageBytes)
        let fresh = try await TokenStore.load(barrier: harness.barrier, now: harness.clock.closure)
        for token in tree.all { #expect(try await fresh.lookup(token: token.clientToken) == nil) }
        // Dangling records of other kinds.
        try await harness.barrier.put(
            TokenStore.accessorPrefix + fresh.saltedID("ghost"),
            TokenAccessorRecord(tokenID: String(repeating: "a", count: 64), accessor: "ghost").storageBytes
        )
        try await harness.barrier.put(TokenStore.parentKey(parent: top.id, child: String(repeating: "b", count: 64)), [])
        let report = try #require(try await fresh.tidy())
        #expect(report.tokensRevoked >= 1)
        #expect(report.accessorsDeleted == 1)
        #expect(try await harness.keys(under: TokenStore.idPrefix).count == 1)
        #expect(try await harness.keys(under: TokenStore.accessorPrefix).count == 1)
        let root = try #require(try await fresh.lookup(token: harness.rootToken))
        #expect(try await harness.keys(under: TokenStore.parentPrefix).allSatisfy { $0 == root.id + "/" })
        #expect(try await harness.keys(under: TokenStore.parentPrefix + root.id + "/").isEmpty)
    }

    @Test func numUsesAreSpentAndTheLastUseRevokes() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["p"], "num_uses": 2])
        var entry = try #require(try await harness.lookup(auth.clientToken))
        entry = try #require(try await harness.store.recordUse(entry))
        #expect(entry.numUses == 1 && !entry.revocationPending)
        #expect(try await harness.lookup(auth.clientToken)?.numUses == 1)
        entry = try #require(try await harness.store.recordUse(entry))
        #expect(entry.revocationPending)
        // The request that spent the last use still sees its own token; nobody else does.
        #expect(try await harness.lookup(auth.clientToken) == nil)
        #expect(try await harness.store.resolve(token: auth.clientToken, allowPending: true) != nil)
        #expect(try await harness.store.recordUse(entry) == nil)
        try await harness.store.finishUse(entry)
        #expect(try await harness.store.entry(forToken: auth.clientToken) == nil)
        #expect(harness.log.ids == [entry.id])
        // Unlimited tokens pass through untouched.
        let root = try #require(try await harness.lookup(harness.rootToken))
        #expect(try await harness.store.recordUse(root) == root)
    }

    @Test func concurrentUsesNeverOverspend() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["p"], "num_uses": 3])
        let entry = try #require(try await harness.lookup(auth.clientToken))
        let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { try await harness.store.recordUse(entry) != nil }
            }
            var count = 0
            for try await ok in group where ok { count += 1 }
            return count
        }
        #expect(granted == 3)
    }

    @Test func batchTokensCannotBeRevokedButDieWithTheirParent() async throws {
        let harness = try await TokenHarness.make()
        let parent = try await harness.create(["policies": ["p"], "ttl": "10h"])
        let batch = try await harness.create(["type": "batch"], token: parent.clientToken)
        #expect(try await harness.lookup(batch.clientToken) != nil)
        let error = await logicalError { _ = try await harness.call(.update, "revoke", ["token": .string(batch.clientToken)]) }
        #expect(error?.messages == ["batch tokens cannot be revoked"])
        let selfError = await logicalError { _ = try await harness.call(.update, "revoke-self", token: batch.clientToken) }
        #expect(selfError?.messages == ["batch tokens cannot be revoked"])
        _ = try await harness.call(.update, "revoke", ["token": .string(parent.clientToken)])
        #expect(try await harness.lookup(batch.clientToken) == nil)
    }
}

/// Whether the body threw anything at all.
func logicalErrorOrOther(_ body: () async throws -> Void) async -> Bool {
    do {
        try await body()
        return false
    } catch {
        return true
    }
}
