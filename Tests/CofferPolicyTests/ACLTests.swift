import CofferJSON
import CofferLogical
import CofferPolicy
import Testing

@Suite("ACL evaluation")
struct ACLTests {
    @Test("table", arguments: MatchingCases.all + ConditionCases.all)
    func table(_ row: ACLCase) throws {
        let acl = try row.acl()
        let decision = acl.allowOperation(row.request)
        #expect(decision.allowed == (row.expect == .allow), "\(decision.denialReason ?? "allowed")")
        if decision.allowed {
            #expect(decision.denialReason == nil)
        } else {
            #expect(decision.denialReason != nil)
        }
    }

    @Test func policyNamedRootMakesARootACL() throws {
        let root = Policy(name: "root", raw: "", paths: [])
        let acl = ACL(policies: [root])
        #expect(acl.isRoot)
        let decision = acl.allowOperation(ACLRequest(path: "sys/rotate", operation: .update, rootProtected: true))
        #expect(decision == ACLDecision(allowed: true, isRoot: true, capabilitiesGranted: .allGrants, hasSudo: true))
        #expect(!(try makeACL(rule("*", "sudo", "update"))).isRoot)
    }

    @Test func decisionExplainsItself() throws {
        let acl = try makeACL(rule("secret/+/config", "read", "sudo"), rule("kv/*", "deny"))
        let granted = acl.allowOperation(ACLRequest(path: "secret/app/config", operation: .read))
        #expect(granted.allowed)
        #expect(granted.matchedPattern == "secret/+/config")
        #expect(granted.capabilitiesGranted == [.read, .sudo])
        #expect(granted.hasSudo)

        let wrongCapability = acl.allowOperation(ACLRequest(path: "secret/app/config", operation: .update))
        #expect(!wrongCapability.allowed)
        #expect(wrongCapability.denialReason == #"rule "secret/+/config" does not grant "update""#)

        let denied = acl.allowOperation(ACLRequest(path: "kv/x", operation: .read))
        #expect(denied.matchedPattern == "kv/*")
        #expect(denied.capabilitiesGranted == .deny)
        #expect(!denied.hasSudo)

        let unmatched = acl.allowOperation(ACLRequest(path: "other", operation: .read))
        #expect(unmatched.matchedPattern == nil)
        #expect(unmatched.capabilitiesGranted.isEmpty)
        #expect(unmatched.denialReason == "no policy grants access to the path")
    }

    @Test func denialReasonsNameParametersButNotValues() throws {
        let acl = try makeACL(ConditionCases.deniedPolicy)
        let decision = acl.allowOperation(
            ACLRequest(path: "secret/x", operation: .update, data: ["foo": "bar", "ok": "s3cr3t-value"]))
        #expect(!decision.allowed)
        let reason = try #require(decision.denialReason)
        #expect(reason.contains("\"foo\""))
        #expect(!reason.contains("bar"))
        #expect(!reason.contains("s3cr3t"))
    }

    @Test func emptyACL() throws {
        #expect(ACL(policies: []).isEmpty)
        #expect(try makeACL(BuiltinPolicies.defaultPolicy).isEmpty == false)
        #expect(ACL(policies: [], rootPolicy: true).isEmpty == false)
    }

    @Test func manyRulesStillResolveCorrectly() throws {
        var text = ""
        for index in 0..<2000 {
            text += rule("secret/team\(index)/*", index % 2 == 0 ? "read" : "deny") + "\n"
            text += rule("kv/+/app\(index)", "update") + "\n"
        }
        let acl = try makeACL(text, rule("secret/*", "list"))
        #expect(acl.allowOperation(ACLRequest(path: "secret/team1234/x", operation: .read)).allowed)
        #expect(!acl.allowOperation(ACLRequest(path: "secret/team1235/x", operation: .read)).allowed)
        #expect(acl.allowOperation(ACLRequest(path: "secret/team1235", operation: .list)).allowed)
        #expect(acl.allowOperation(ACLRequest(path: "kv/x/app1999", operation: .update)).allowed)
        #expect(!acl.allowOperation(ACLRequest(path: "kv/x/app2000", operation: .update)).allowed)
    }
}

@Suite("ACL capabilities")
struct ACLCapabilitiesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var policies: [String]
        var root = false
        var path: String
        var expected: [String]
        var testDescription: String { rule }
    }

    static let cases: [Case] = [
        Case(rule: "root token", policies: [], root: true, path: "anything", expected: ["root"]),
        Case(rule: "Vault's order: sudo, read, list, update, delete, create, patch",
             policies: [rule("secret/*", "patch", "create", "delete", "update", "list", "read", "sudo")],
             path: "secret/x", expected: ["sudo", "read", "list", "update", "delete", "create", "patch"]),
        Case(rule: "subset keeps the order", policies: [rule("secret/*", "update", "read")], path: "secret/x",
             expected: ["read", "update"]),
        Case(rule: "no matching rule", policies: [rule("secret/*", "read")], path: "other/x", expected: ["deny"]),
        Case(rule: "deny rule", policies: [rule("secret/*", "read"), rule("secret/*", "deny")], path: "secret/x",
             expected: ["deny"]),
        Case(rule: "rule without capabilities", policies: [#"path "secret/*" { capabilities = [] }"#], path: "secret/x",
             expected: ["deny"]),
        Case(rule: "evaluated as a LIST: exact rule on p answers p/", policies: [rule("secret/foo", "read")],
             path: "secret/foo/", expected: ["read"]),
        Case(rule: "union across policies", policies: [rule("secret/*", "read"), rule("secret/*", "list")],
             path: "secret/x", expected: ["read", "list"]),
        Case(rule: "highest-priority pattern only", policies: [rule("secret/*", "read"), rule("secret/+/x", "update")],
             path: "secret/a/x", expected: ["update"]),
        Case(rule: "default policy: cubbyhole", policies: [BuiltinPolicies.defaultPolicy], path: "cubbyhole/x",
             expected: ["read", "list", "update", "delete", "create"]),
        Case(rule: "default policy: lookup-self", policies: [BuiltinPolicies.defaultPolicy],
             path: "auth/token/lookup-self", expected: ["read"]),
        Case(rule: "wrapping and parameter conditions are ignored",
             policies: [#"path "s/*" { capabilities = ["read"] min_wrapping_ttl = 60 required_parameters = ["x"] }"#],
             path: "s/x", expected: ["read"]),
    ]

    @Test("capabilities(path:)", arguments: cases)
    func capabilities(_ row: Case) throws {
        let parsed = try row.policies.map { try PolicyParser.parse(name: "p", text: $0) }
        let acl = ACL(policies: parsed, rootPolicy: row.root)
        #expect(acl.capabilities(path: row.path) == row.expected)
        #expect(acl.sortedCapabilities(path: row.path) == row.expected.sorted())
    }

    @Test func sortedForTheAPI() throws {
        let acl = try makeACL(rule("secret/*", "update", "read", "list", "delete"))
        #expect(acl.sortedCapabilities(path: "secret/foo") == ["delete", "list", "read", "update"])
    }
}

@Suite("ACL mount access")
struct ACLMountAccessTests {
    @Test func grantsOnOrUnderTheMount() throws {
        #expect(try makeACL(rule("secret/*", "read")).hasAccess(underMount: "secret/"))
        #expect(try makeACL(rule("secret/data/app", "read")).hasAccess(underMount: "secret"))
        #expect(try makeACL(rule("secret/data/*", "list")).hasAccess(underMount: "/secret/"))
        #expect(try makeACL(rule("secret/+/app", "read")).hasAccess(underMount: "secret/"))
        #expect(try makeACL(rule("+/data/*", "read")).hasAccess(underMount: "kv/"))
        #expect(try makeACL(rule("*", "read")).hasAccess(underMount: "anything/"))
        #expect(ACL(policies: [], rootPolicy: true).hasAccess(underMount: "secret/"))
    }

    @Test func noGrantUnderTheMount() throws {
        #expect(try !makeACL(rule("secret/*", "read")).hasAccess(underMount: "kv/"))
        #expect(try !makeACL(rule("secretive/*", "read")).hasAccess(underMount: "secret/"))
        #expect(try !makeACL(rule("secret/*", "deny")).hasAccess(underMount: "secret/"))
        #expect(try !makeACL(rule("secret/data/*", "deny")).hasAccess(underMount: "secret/"))
        #expect(try !makeACL(rule("secret/+/app", "deny")).hasAccess(underMount: "secret/"))
        #expect(try !makeACL(rule("kv/+/app", "read")).hasAccess(underMount: "secret/"))
        #expect(try !makeACL(rule("sec/+/x", "read")).hasAccess(underMount: "secret/"))
        #expect(!ACL(policies: []).hasAccess(underMount: "secret/"))
    }
}

@Suite("Rule merging")
struct PathPermissionsMergeTests {
    @Test func denyClearsEverything() {
        var permissions = PathPermissions(
            capabilities: [.read, .sudo], allowedParameters: ["a": []], deniedParameters: ["b": ["x"]])
        permissions.merge(PathPermissions(capabilities: .deny))
        #expect(permissions.capabilities == .deny)
        #expect(permissions.allowedParameters.isEmpty)
        #expect(permissions.deniedParameters.isEmpty)

        var denied = PathPermissions(capabilities: .deny)
        denied.merge(PathPermissions(capabilities: [.read], allowedParameters: ["a": []]))
        #expect(denied == PathPermissions(capabilities: .deny))
    }

    @Test func capabilitiesAndBounds() {
        var permissions = PathPermissions(capabilities: [.read], minWrappingTTL: 0, maxWrappingTTL: 3600)
        permissions.merge(PathPermissions(capabilities: [.list], minWrappingTTL: 60, maxWrappingTTL: 600))
        permissions.merge(PathPermissions(capabilities: [.update], minWrappingTTL: 120, maxWrappingTTL: 0))
        #expect(permissions.capabilities == [.read, .list, .update])
        #expect(permissions.minWrappingTTL == 60)
        #expect(permissions.maxWrappingTTL == 600)
    }

    @Test func parameterLists() {
        var permissions = PathPermissions(
            capabilities: [.update],
            allowedParameters: ["a": ["1"], "b": [], "c": ["x"]],
            deniedParameters: ["d": ["p"]],
            requiredParameters: ["r1", "r2"])
        permissions.merge(PathPermissions(
            capabilities: [.update],
            allowedParameters: ["a": ["2"], "b": ["3"], "c": [], "e": ["4"]],
            deniedParameters: ["d": ["q"]],
            requiredParameters: ["r2", "r3"]))
        #expect(Set(permissions.allowedParameters["a"] ?? []) == ["1", "2"])
        #expect(permissions.allowedParameters["b"] == [])
        #expect(permissions.allowedParameters["c"] == [])
        #expect(permissions.allowedParameters["e"] == ["4"])
        #expect(Set(permissions.deniedParameters["d"] ?? []) == ["p", "q"])
        #expect(permissions.requiredParameters == ["r1", "r2", "r3"])
    }
}

@Suite("ACL request")
struct ACLRequestTests {
    @Test func descriptionHidesParameterValues() {
        let request = ACLRequest(
            path: "secret/x", operation: .update, data: ["password": "hunter2", "user": "bob"], wrapTTL: 60,
            rootProtected: true)
        #expect(request.description == "ACLRequest(update secret/x, parameters: [password, user], wrapTTL: 60, root-protected)")
        #expect(!String(reflecting: request).contains("hunter2"))
    }
}
