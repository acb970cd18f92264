import CofferJSON
import CofferPolicy
import Foundation
import Testing

@Suite("Policy parser")
struct PolicyParserTests {
    static let hcl = #"""
        # Developers
        name = "dev"

        path "secret/*" {
          capabilities = ["create", "read", "update", "delete", "list"]
          allowed_parameters = {
            "ttl" = []
            "Owner" = ["team-*", 3]
          }
          denied_parameters = { "wipe" = [] }
          required_parameters = ["owner"]
          min_wrapping_ttl = "1m"
          max_wrapping_ttl = 3600
          comment = "kept out of the rules"
          mfa_methods = ["totp"]
          control_group = { max_ttl = "1h" }
        }

        path "/secret/+/config" {
          policy = "read"
        }

        path "sys/*" { capabilities = ["deny", "read"] }
        """#

    static let json = #"""
        {
          "name": "dev",
          "path": {
            "secret/*": {
              "capabilities": ["create", "read", "update", "delete", "list"],
              "allowed_parameters": {"ttl": [], "Owner": ["team-*", 3]},
              "denied_parameters": {"wipe": []},
              "required_parameters": ["owner"],
              "min_wrapping_ttl": "1m",
              "max_wrapping_ttl": 3600,
              "comment": "kept out of the rules",
              "mfa_methods": ["totp"],
              "control_group": {"max_ttl": "1h"}
            },
            "/secret/+/config": {"policy": "read"},
            "sys/*": {"capabilities": ["deny", "read"]}
          }
        }
        """#

    /// The rules with their source lines cleared (HCL and JSON differ only there).
    private func rulesIgnoringLines(_ policy: Policy) -> [PathRule] {
        policy.paths.map { rule in
            var copy = rule
            copy.line = 0
            return copy
        }
    }

    @Test func readsEveryKey() throws {
        let policy = try PolicyParser.parse(name: "dev", text: Self.hcl)
        #expect(policy.name == "dev")
        #expect(policy.paths.map(\.pattern) == ["secret/*", "secret/+/config", "sys/*"])
        #expect(policy.paths.map(\.line) == [4, 19, 23])

        let secret = policy.paths[0]
        #expect(secret.isPrefix)
        #expect(secret.path == "secret/")
        #expect(!secret.hasSegmentWildcard)
        #expect(secret.permissions == PathPermissions(
            capabilities: [.create, .read, .update, .delete, .list],
            minWrappingTTL: 60,
            maxWrappingTTL: 3600,
            allowedParameters: ["ttl": [], "owner": ["team-*", 3]],
            deniedParameters: ["wipe": []],
            requiredParameters: ["owner"]))

        let config = policy.paths[1]
        #expect(config.hasSegmentWildcard)
        #expect(!config.isPrefix)
        #expect(config.permissions.capabilities == [.read, .list])

        #expect(policy.paths[2].permissions == PathPermissions(capabilities: .deny))
    }

    @Test func hclAndJSONAreEquivalent() throws {
        let fromHCL = try PolicyParser.parse(name: "dev", text: Self.hcl)
        let fromJSON = try PolicyParser.parse(name: "dev", text: Self.json)
        #expect(rulesIgnoringLines(fromHCL) == rulesIgnoringLines(fromJSON))
        #expect(fromJSON.paths.map(\.line) == [4, 15, 16])
        #expect(fromJSON.raw == Self.json)
    }

    @Test func jsonArrayOfPathObjects() throws {
        let policy = try PolicyParser.parse(
            name: "a", text: #"{"path": [{"a/*": {"capabilities": ["read"]}}, {"b": {"capabilities": ["list"]}}]}"#)
        #expect(policy.paths.map(\.pattern) == ["a/*", "b"])
    }

    @Test func base64TextIsDecoded() throws {
        let encoded = Data(Self.hcl.utf8).base64EncodedString()
        let policy = try PolicyParser.parse(name: "dev", text: encoded)
        #expect(policy.raw == Self.hcl)
        #expect(rulesIgnoringLines(policy) == rulesIgnoringLines(try PolicyParser.parse(name: "dev", text: Self.hcl)))

        let wrapped = Data(Self.json.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        #expect(wrapped.contains("\r\n"))
        #expect(try PolicyParser.parse(name: "dev", text: wrapped).raw == Self.json)
    }

    @Test func invalidBase64IsParsedAsText() throws {
        // Valid base64 characters, but the decoded bytes are not UTF-8: parsed as HCL.
        let notText = try #require(throws: PolicyError.self) { try PolicyParser.parse(name: "x", text: "/w==") }
        #expect(notText.code == .syntax)
        // Missing padding: not base64, so HCL (and an HCL syntax error here).
        let error = try #require(throws: PolicyError.self) { try PolicyParser.parse(name: "x", text: "cGF0aA") }
        #expect(error.code == .syntax)
    }

    @Test func rawTextIsKeptVerbatim() throws {
        let text = "\t# tabs, CRLF and trailing spaces   \r\npath \"a\"   {\r\n  capabilities=[\"read\"]   \r\n}\r\n\n\n"
        #expect(try PolicyParser.parse(name: "x", text: text).raw == text)
        let json = "  {\"path\":{\"a\":{\"capabilities\":[\"read\"]}}}  \n"
        #expect(try PolicyParser.parse(name: "x", text: json).raw == json)
    }

    @Test(arguments: [
        ("deny", ["deny"]),
        ("read", ["read", "list"]),
        ("write", ["read", "list", "update", "delete", "create"]),
        ("sudo", ["sudo", "read", "list", "update", "delete", "create"]),
    ])
    func legacyPolicyValues(_ value: String, _ names: [String]) throws {
        let policy = try PolicyParser.parse(name: "x", text: "path \"a\" { policy = \"\(value)\" }")
        #expect(policy.paths[0].permissions.capabilities.names == names)
    }

    @Test func legacyPolicyAndCapabilitiesCombine() throws {
        let policy = try PolicyParser.parse(name: "x", text: #"path "a" { policy = "read" capabilities = ["patch"] }"#)
        #expect(policy.paths[0].permissions.capabilities == [.read, .list, .patch])
    }

    @Test func denyDropsEverythingElse() throws {
        let policy = try PolicyParser.parse(name: "x", text: #"""
            path "a" {
              capabilities = ["read", "deny", "sudo"]
              allowed_parameters = { "x" = [] }
              required_parameters = ["y"]
              max_wrapping_ttl = 60
            }
            """#)
        #expect(policy.paths[0].permissions == PathPermissions(capabilities: .deny))
    }

    @Test func patternFlags() throws {
        let policy = try PolicyParser.parse(name: "x", text: #"""
            path "//a/+/b*" { capabilities = ["read"] }
            path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }
            path "*" { capabilities = ["list"] }
            """#)
        let wildcard = policy.paths[0]
        #expect(wildcard.pattern == "a/+/b*")
        #expect(wildcard.path == "a/+/b")
        #expect(wildcard.isPrefix && wildcard.hasSegmentWildcard && !wildcard.isTemplated)
        #expect(policy.paths[1].isTemplated)
        #expect(policy.paths[2].path == "" && policy.paths[2].isPrefix)
    }

    @Test func newerCapabilitiesAreAccepted() throws {
        let policy = try PolicyParser.parse(name: "x", text: #"path "a" { capabilities = ["subscribe", "recover"] }"#)
        #expect(policy.paths[0].permissions.capabilities == [.subscribe, .recover])
    }

    @Test func durationsInEveryForm() throws {
        let policy = try PolicyParser.parse(name: "x", text: #"""
            path "a" { capabilities = ["read"] min_wrapping_ttl = "90s" max_wrapping_ttl = "2h" }
            path "b" { capabilities = ["read"] min_wrapping_ttl = 30 max_wrapping_ttl = "3600" }
            """#)
        #expect(policy.paths.map(\.permissions.minWrappingTTL) == [90, 30])
        #expect(policy.paths.map(\.permissions.maxWrappingTTL) == [7200, 3600])
    }

    @Test(arguments: [
        ("  Dev-Team \n", "dev-team"),
        ("ADMIN", "admin"),
        ("default", "default"),
    ])
    func normalizeName(_ input: String, _ expected: String) {
        #expect(PolicyParser.normalizeName(input) == expected)
    }

    @Test func builtinPoliciesParse() throws {
        let defaultPolicy = try PolicyParser.parse(name: "default", text: BuiltinPolicies.defaultPolicy)
        #expect(defaultPolicy.paths.count == 15)
        #expect(defaultPolicy.paths.filter(\.isTemplated).count == 2)
        #expect(BuiltinPolicies.responseWrappingPolicy.paths.map(\.pattern) == ["cubbyhole/response", "sys/wrapping/unwrap"])
        #expect(BuiltinPolicies.responseWrappingPolicy.name == BuiltinPolicies.responseWrappingName)
    }
}
