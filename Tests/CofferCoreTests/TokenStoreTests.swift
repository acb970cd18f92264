import CofferBarrier
import CofferJSON
import CofferLogical
import CofferStorage
import Testing
@testable import CofferCore

@Suite struct TokenStoreTests {
    @Test func rootTokenNeverExpiresAndIsNotRenewable() async throws {
        let harness = try await TokenHarness.make()
        harness.clock.advance(10 * 365 * 86400)
        let entry = try #require(try await harness.lookup(harness.rootToken))
        #expect(entry.expireTime == 0)
        let data = try #require(try await harness.call(.read, "lookup-self")?.data)
        #expect(data["policies"] == JSONValue(["root"]))
        #expect(data["ttl"] == .int(0))
        #expect(data["expire_time"] == .null)
        #expect(data["orphan"] == .bool(true))
        #expect(data["renewable"] == .bool(false))
        #expect(data["path"] == "auth/token/root")
        #expect(data["display_name"] == "root")
        #expect(data["id"] == .string(harness.rootToken))
    }

    @Test(arguments: [
        "", "garbage", "hvs.", "hvs.nope", "hvb.", "hvb.!!!!", "hvb.AAAA", "hvb.AAAAA",
        "hvs.ünïcødé", "tab\tinside", "new\nline", "nul\u{0}byte", " space", "hvb.\u{1F600}",
        String(repeating: "a", count: 257), "hvb." + String(repeating: "A", count: 9000),
        String(repeating: "x", count: 100_000),
    ])
    func malformedTokensResolveToNil(_ token: String) async throws {
        let harness = try await TokenHarness.make()
        #expect(try await harness.lookup(token) == nil)
        #expect(try await harness.store.entry(forToken: token) == nil)
        #expect(try await harness.store.lookup(accessor: token) == nil)
    }

    @Test func tokensFromAnotherClusterOrTamperedDoNotResolve() async throws {
        let harness = try await TokenHarness.make()
        let other = try await TokenHarness.make()
        let batch = try await other.create(["type": "batch", "policies": ["a"]], path: "create-orphan").clientToken
        #expect(try await other.lookup(batch) != nil)
        #expect(try await harness.lookup(batch) == nil)
        // Flip one character of a valid batch token.
        let mine = try await harness.create(["type": "batch", "policies": ["a"]], path: "create-orphan").clientToken
        var bytes = Array(mine.utf8)
        bytes[bytes.count / 2] = bytes[bytes.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(try await harness.lookup(String(decoding: bytes, as: UTF8.self)) == nil)
        #expect(try await harness.lookup(String(mine.dropLast(3))) == nil)
    }

    @Test func onlySaltedIDsAreStored() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["a"]])
        let idKeys = try await harness.keys(under: TokenStore.idPrefix)
        let accessorKeys = try await harness.keys(under: TokenStore.accessorPrefix)
        #expect(idKeys.count == 2)
        #expect(accessorKeys.count == 2)
        for key in idKeys + accessorKeys {
            #expect(key.utf8.count == 64)
            #expect(!key.contains(auth.clientToken) && !key.contains(auth.accessor))
        }
        let entry = try #require(try await harness.lookup(auth.clientToken))
        #expect(idKeys.contains(entry.id))
        #expect(entry.id == harness.store.saltedID(auth.clientToken))
        // Values are sealed by the barrier: the accessor does not appear in plaintext.
        let raw = try #require(try await harness.storage.get(TokenStore.idPrefix + entry.id))
        #expect(!String(decoding: raw, as: UTF8.self).contains(auth.accessor))
        // The child is indexed under its parent.
        let root = try #require(try await harness.lookup(harness.rootToken))
        #expect(try await harness.keys(under: TokenStore.parentPrefix + root.id + "/") == [entry.id])
    }

    @Test func unknownStorageVersionFailsClosed() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["a"]])
        let id = harness.store.saltedID(auth.clientToken)
        var value = try #require(try await harness.barrier.get(TokenStore.idPrefix + id)).jsonValueForTest()
        value = value.replacing("version", with: .int(99))
        try await harness.barrier.put(TokenStore.idPrefix + id, JSONWriter.bytes(value))
        // A fresh store (empty cache) must refuse the entry rather than guess.
        let fresh = try await TokenStore.load(barrier: harness.barrier, now: harness.clock.closure)
        let error = await logicalError { _ = try await fresh.lookup(token: auth.clientToken) }
        #expect(error?.code == .internalError)
        // Garbage bytes fail the same way; a missing member too.
        try await harness.barrier.put(TokenStore.idPrefix + id, Array("not json".utf8))
        #expect(await logicalError { _ = try await fresh.lookup(token: auth.clientToken) }?.code == .internalError)
        value = value.replacing("version", with: .int(2)).removing("expire_time")
        try await harness.barrier.put(TokenStore.idPrefix + id, JSONWriter.bytes(value))
        #expect(await logicalError { _ = try await fresh.lookup(token: auth.clientToken) }?.code == .internalError)
    }

    @Test func versionOneRootEntriesStillResolve() async throws {
        let harness = try await TokenHarness.make()
        let token = "legacy-root"
        let id = harness.store.saltedID(token)
        let legacy: JSONValue = [
            "version": 1, "id": .string(id), "accessor": "acc", "policies": ["root"], "parent": "",
            "path": "auth/token/root", "display_name": "root", "meta": [:], "num_uses": 0,
            "creation_time": 5, "ttl": 0, "explicit_max_ttl": 0, "period": 0, "type": "service",
        ]
        try await harness.barrier.put(TokenStore.idPrefix + id, JSONWriter.bytes(legacy))
        try await harness.barrier.put(TokenStore.accessorPrefix + harness.store.saltedID("acc"), Array(id.utf8))
        let entry = try #require(try await harness.lookup(token))
        #expect(entry.policies == ["root"] && entry.expireTime == 0)
        #expect(try await harness.store.lookup(accessor: "acc")?.id == id)
        #expect(try await harness.store.listAccessors().contains("acc"))
    }

    @Test func customIDsAreRootOnlyAndUnique() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["id": "my-custom-token", "policies": ["a"]])
        #expect(auth.clientToken == "my-custom-token")
        #expect(try await harness.lookup("my-custom-token")?.policies == ["a", "default"])
        let duplicate = await logicalError { _ = try await harness.create(["id": "my-custom-token"]) }
        #expect(duplicate?.messages == ["cannot create a token with a duplicate ID"])
        let dotted = await logicalError { _ = try await harness.create(["id": "has.dot"]) }
        #expect(dotted?.code == .invalidRequest)
        let child = try await harness.create(["policies": ["a"]])
        let denied = await logicalError { _ = try await harness.create(["id": "x"], token: child.clientToken) }
        #expect(denied?.messages == ["root or sudo privileges required to specify token id"])
        // Dev mode's fixed root token.
        let dev = try await harness.store.createRootToken(id: "root")
        #expect(dev.token == "root")
        #expect(try await harness.lookup("root")?.isRoot == true)
        await #expect(throws: LogicalError.self) { _ = try await harness.store.createRootToken(id: "root") }
    }

    @Test func cacheNeverResurrectsARevokedToken() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["a"]])
        #expect(try await harness.lookup(auth.clientToken) != nil)  // now cached
        _ = try await harness.call(.update, "revoke", ["token": .string(auth.clientToken)])
        #expect(try await harness.lookup(auth.clientToken) == nil)
        // A stale read racing the revocation is not inserted: the epoch moved.
        let id = harness.store.saltedID(auth.clientToken)
        let staleEpoch = harness.store.cache.epoch
        let ghost = TokenEntry(id: id, accessor: "x", policies: ["a"], path: "p", displayName: "d", creationTime: 0)
        harness.store.cache.remove("unrelated")
        harness.store.cache.insert(ghost, ifEpoch: staleEpoch)
        #expect(harness.store.cache.entry(id) == nil)
    }

    @Test func cacheStaysBounded() async throws {
        let cache = TokenCache(limit: 16)
        for index in 0..<100 {
            let hex = String(index, radix: 16)
            let id = String(repeating: "0", count: 64 - hex.count) + hex
            cache.store(TokenEntry(id: id, accessor: "", policies: [], path: "", displayName: "", creationTime: 0))
            #expect(cache.count <= 16)
        }
    }

    @Test func lookupsOfOtherTokensAndBadTokens() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["a"], "meta": ["user": "armon"], "ttl": "1h"])
        let data = try #require(try await harness.call(.update, "lookup", ["token": .string(auth.clientToken)])?.data)
        #expect(data["id"] == .string(auth.clientToken))
        #expect(data["accessor"] == .string(auth.accessor))
        #expect(data["policies"] == JSONValue(["a", "default"]))
        #expect(data["meta"] == JSONValue(["user": "armon"]))
        #expect(data["ttl"] == .int(3600))
        #expect(data["creation_ttl"] == .int(3600))
        #expect(data["renewable"] == .bool(true))
        #expect(data["orphan"] == .bool(false))
        #expect(data["type"] == "service")
        #expect(data["path"] == "auth/token/create")
        #expect(data["expire_time"]?.stringValue?.hasSuffix("Z") == true)
        #expect(data["period"] == nil)
        let bad = await logicalError { _ = try await harness.call(.update, "lookup", ["token": "nope"]) }
        #expect(bad?.code == .permissionDenied)
        #expect(bad?.messages == ["bad token"])
        // No token: the caller itself.
        let selfData = try #require(try await harness.call(.update, "lookup", [:], token: auth.clientToken)?.data)
        #expect(selfData["id"] == .string(auth.clientToken))
        let byAccessor = try #require(
            try await harness.call(.update, "lookup-accessor", ["accessor": .string(auth.accessor)])?.data
        )
        #expect(byAccessor["id"] == "")
        #expect(byAccessor["accessor"] == .string(auth.accessor))
        let unknown = await logicalError { _ = try await harness.call(.update, "lookup-accessor", ["accessor": "nope"]) }
        #expect(unknown?.code == .invalidRequest)
        #expect(unknown?.messages == ["invalid accessor"])
        let missing = await logicalError { _ = try await harness.call(.update, "lookup-accessor") }
        #expect(missing?.messages == ["missing accessor"])
    }

    @Test func unknownPathsAndOperations() async throws {
        let harness = try await TokenHarness.make()
        #expect(await logicalError { _ = try await harness.call(.read, "nope") }?.code == .notFound)
        #expect(await logicalError { _ = try await harness.call(.read, "create") }?.code == .unsupportedOperation)
        #expect(await logicalError { _ = try await harness.call(.read, "accessors") }?.code == .unsupportedOperation)
    }

    @Test func accessorsAreListed() async throws {
        let harness = try await TokenHarness.make()
        let a = try await harness.create(["policies": ["a"]])
        let b = try await harness.create(["policies": ["b"]])
        let keys = try #require(try await harness.call(.list, "accessors")?.data?["keys"]?.stringArrayValue)
        #expect(keys.count == 3)
        #expect(keys.contains(a.accessor) && keys.contains(b.accessor))
        #expect(keys == keys.sorted())
    }
}

extension [UInt8] {
    func jsonValueForTest() throws -> JSONValue { try JSONParser.parse(self) }
}

extension JSONValue {
    func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = value
        return .object(object)
    }

    func removing(_ key: String) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = nil
        return .object(object)
    }
}
