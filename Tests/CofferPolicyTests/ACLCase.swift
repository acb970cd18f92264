import CofferJSON
import CofferLogical
import CofferPolicy
import Testing

/// One row of the ACL table: the rule it demonstrates, the token's policies, one
/// request, and the expected decision.
struct ACLCase: Sendable, CustomTestStringConvertible {
    enum Expect: Sendable { case allow, deny }

    var rule: String
    var policies: [String]
    var root = false
    var request: ACLRequest
    var expect: Expect

    var testDescription: String {
        let verdict = expect == .allow ? "allow" : "deny"
        return "\(rule) [\(request.operation.rawValue) \(request.path) → \(verdict)]"
    }

    func acl() throws -> ACL {
        let parsed = try policies.enumerated().map { index, text in
            try PolicyParser.parse(name: "p\(index)", text: text)
        }
        return ACL(policies: parsed, rootPolicy: root)
    }
}

/// `path "<pattern>" { capabilities = [...] }`.
func rule(_ pattern: String, _ capabilities: String...) -> String {
    let list = capabilities.map { "\"\($0)\"" }.joined(separator: ", ")
    return "path \"\(pattern)\" { capabilities = [\(list)] }"
}

/// A table row.
func row(
    _ rule: String,
    _ policies: [String],
    _ operation: Operation,
    _ path: String,
    data: [String: JSONValue] = [:],
    wrap: Int64? = nil,
    rootProtected: Bool = false,
    root: Bool = false,
    _ expect: ACLCase.Expect
) -> ACLCase {
    ACLCase(
        rule: rule, policies: policies, root: root,
        request: ACLRequest(path: path, operation: operation, data: data, wrapTTL: wrap, rootProtected: rootProtected),
        expect: expect)
}

/// Builds an ACL from policy texts, failing the test if one does not parse.
func makeACL(_ texts: String..., root: Bool = false) throws -> ACL {
    let parsed = try texts.enumerated().map { index, text in try PolicyParser.parse(name: "p\(index)", text: text) }
    return ACL(policies: parsed, rootPolicy: root)
}
