import CofferBarrier
public import CofferJSON
public import CofferLogical
public import CofferPolicy
import CofferStorage
import Synchronization

/// ACL policies of this cluster: storage, parsing once, and compiled ACLs cached per
/// policy set so the read path neither re-parses nor re-compiles.
///
/// Layout (replicated key class, through the barrier): `sys/policy/<name>` holds
/// `{"version":1,"name":...,"raw":...}`; `raw` is the text exactly as written (the API
/// returns it byte for byte). `root` is never stored; `default` is created at init and
/// may be edited but not deleted.
public final class PolicyStore: Sendable {
    static let prefix = StorageKeys.policyPrefix
    static let storageVersion: Int64 = 1
    static let aclCacheLimit = 4096

    private struct Caches {
        var policies: [String: Policy] = [:]
        /// Sorted, comma-joined policy names → compiled ACL.
        var acls: [String: ACL] = [:]
    }

    private let barrier: SecurityBarrier
    private let caches = Mutex(Caches())

    init(barrier: SecurityBarrier) {
        self.barrier = barrier
    }

    /// Writes the built-in `default` policy unless one is stored already.
    func ensureDefaultPolicy() async throws {
        guard try await barrier.get(Self.prefix + "default") == nil else { return }
        try await put(name: "default", text: BuiltinPolicies.defaultPolicy)
    }

    // MARK: read path

    /// The compiled ACL for a token's policies. `root` short-circuits to the root ACL.
    func acl(for names: [String]) async throws -> ACL {
        let key = Self.cacheKey(names)
        if let cached = caches.withLock({ $0.acls[key] }) { return cached }
        var policies: [Policy] = []
        for name in Set(names) {
            if let policy = try await policy(named: name) { policies.append(policy) }
        }
        let acl = ACL(policies: policies, rootPolicy: names.contains("root"))
        caches.withLock {
            if $0.acls.count >= Self.aclCacheLimit { $0.acls.removeAll(keepingCapacity: true) }
            $0.acls[key] = acl
        }
        return acl
    }

    /// The compiled ACL if it is cached, without touching storage.
    func cachedACL(for names: [String]) -> ACL? {
        let key = Self.cacheKey(names)
        return caches.withLock { $0.acls[key] }
    }

    static func cacheKey(_ names: [String]) -> String {
        names.count == 1 ? names[0] : names.sorted().joined(separator: ",")
    }

    /// A stored policy, parsed (cached), or nil. `root` has no stored form;
    /// `response-wrapping` is built in and never stored.
    func policy(named name: String) async throws -> Policy? {
        guard name != "root" else { return nil }
        if name == BuiltinPolicies.responseWrappingName { return BuiltinPolicies.responseWrappingPolicy }
        if let cached = caches.withLock({ $0.policies[name] }) { return cached }
        guard let bytes = try await barrier.get(Self.prefix + name) else { return nil }
        let record = try JSONParser.parse(bytes)
        guard record["version"]?.intValue == Self.storageVersion, let raw = record["raw"]?.stringValue else {
            throw CoreError.corrupt("policy \(name) has an unknown storage format")
        }
        let policy: Policy
        do {
            policy = try PolicyParser.parse(name: name, text: raw)
        } catch {
            throw CoreError.corrupt("stored policy \(name) no longer parses")
        }
        caches.withLock { $0.policies[name] = policy }
        return policy
    }

    // MARK: changes

    /// Parses and stores a policy. Invalid text is a 400 naming the line and problem.
    func put(name rawName: String, text: String) async throws {
        let name = PolicyParser.normalizeName(rawName)
        try Self.validate(name: name)
        guard name != "root" else { throw LogicalError.invalidRequest("cannot update \"root\" policy") }
        guard name != BuiltinPolicies.responseWrappingName else {
            throw LogicalError.invalidRequest("cannot update \"\(name)\" policy")
        }
        let policy: Policy
        do {
            policy = try PolicyParser.parse(name: name, text: text)
        } catch {
            throw LogicalError.invalidRequest("\(error)")
        }
        let record: JSONValue = ["version": .int(Self.storageVersion), "name": .string(name), "raw": .string(policy.raw)]
        try await barrier.commit(StorageBatch([.put(key: Self.prefix + name, value: JSONWriter.bytes(record))]))
        invalidate(name, replacement: policy)
    }

    /// Deletes a policy; deleting one that does not exist is not an error (Vault's rule).
    func delete(name rawName: String) async throws {
        let name = PolicyParser.normalizeName(rawName)
        if name == "root" { throw LogicalError.invalidRequest("cannot delete \"root\" policy") }
        if name == "default" { throw LogicalError.invalidRequest("cannot delete default policy") }
        if name == BuiltinPolicies.responseWrappingName {
            throw LogicalError.invalidRequest("cannot delete \"\(name)\" policy")
        }
        try await barrier.commit(StorageBatch([.delete(key: Self.prefix + name)]))
        invalidate(name, replacement: nil)
    }

    /// Stored policy names, sorted, with `root` appended (as Vault lists them).
    func names() async throws -> [String] {
        let stored = try await barrier.list(prefix: Self.prefix).filter { !$0.hasSuffix("/") }
        return stored.sorted() + ["root"]
    }

    /// The raw text of a stored policy.
    func rawText(name rawName: String) async throws -> String? {
        let name = PolicyParser.normalizeName(rawName)
        return try await policy(named: name)?.raw
    }

    /// Drops the cached parse of `name` and every compiled ACL (any may include it).
    /// Also called when replication changes a policy underneath us.
    func invalidate(_ name: String, replacement: Policy?) {
        caches.withLock {
            $0.policies[name] = replacement
            $0.acls.removeAll(keepingCapacity: true)
        }
    }

    /// Drops every cached policy and ACL (a replicated change removed policies wholesale).
    func invalidateAll() {
        caches.withLock {
            $0.policies.removeAll(keepingCapacity: true)
            $0.acls.removeAll(keepingCapacity: true)
        }
    }

    static func validate(name: String) throws {
        guard !name.isEmpty else { throw LogicalError.invalidRequest("policy name must not be empty") }
        guard name.utf8.count <= 256, !name.contains("/"), !name.contains("..") else {
            throw LogicalError.invalidRequest("invalid policy name \"\(name)\"")
        }
    }
}
