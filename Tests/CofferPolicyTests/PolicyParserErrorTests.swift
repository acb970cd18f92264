import CofferPolicy
import Testing

@Suite("Policy parser errors")
struct PolicyParserErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var problem: String
        var text: String
        var code: PolicyError.Code
        var line: Int
        var message: String
        var testDescription: String { problem }
    }

    static let cases: [Case] = [
        Case(problem: "invalid capability", text: """
            # team policy
            path "secret/*" {
              capabilities = ["read", "rread"]
            }
            """, code: .invalidCapability, line: 3,
            message: #"failed to parse policy: line 3: path "secret/*": invalid capability "rread""#),
        Case(problem: "capabilities are case-sensitive", text: #"path "a" { capabilities = ["READ"] }"#,
             code: .invalidCapability, line: 1, message: #"failed to parse policy: line 1: path "a": invalid capability "READ""#),
        Case(problem: "capabilities not a list", text: "path \"a\" {\n  capabilities = { read = true }\n}",
             code: .invalidCapability, line: 2,
             message: #"failed to parse policy: line 2: path "a": capabilities must be a list of strings, found an object"#),
        Case(problem: "unknown key in a path block", text: "path \"a\" {\n  capabilities = [\"read\"]\n  capabilites = [\"read\"]\n}",
             code: .invalidKey, line: 3, message: #"failed to parse policy: line 3: path "a": invalid key "capabilites""#),
        Case(problem: "unknown top-level key", text: "path \"a\" { capabilities = [\"read\"] }\n\nrules = 1",
             code: .invalidKey, line: 3, message: #"failed to parse policy: line 3: invalid key "rules""#),
        Case(problem: "invalid legacy policy", text: "\npath \"a\" { policy = \"writ\" }",
             code: .invalidPolicy, line: 2, message: #"failed to parse policy: line 2: path "a": invalid policy "writ""#),
        Case(problem: "+* is forbidden", text: "path \"a/b\" { policy = \"read\" }\npath \"a/+*\" { policy = \"read\" }",
             code: .invalidPath, line: 2,
             message: #"failed to parse policy: line 2: path "a/+*": invalid use of wildcards ('+*' is forbidden)"#),
        Case(problem: "* only at the end", text: #"path "secret/*/config" { policy = "read" }"#,
             code: .invalidPath, line: 1,
             message: #"failed to parse policy: line 1: path "secret/*/config": invalid use of wildcards ('*' is only allowed at the end)"#),
        Case(problem: "bad wrapping TTL", text: "path \"a\" {\n  capabilities = [\"read\"]\n  min_wrapping_ttl = \"soon\"\n}",
             code: .invalidWrappingTTL, line: 3,
             message: #"failed to parse policy: line 3: path "a": error parsing min_wrapping_ttl: invalid duration"#),
        Case(problem: "negative wrapping TTL", text: "path \"a\" {\n  max_wrapping_ttl = \"-5m\"\n}",
             code: .invalidWrappingTTL, line: 2,
             message: #"failed to parse policy: line 2: path "a": error parsing max_wrapping_ttl: duration cannot be negative"#),
        Case(problem: "max below min", text: "path \"a\" {\n  min_wrapping_ttl = \"1h\"\n  max_wrapping_ttl = \"1m\"\n}",
             code: .invalidWrappingTTL, line: 3,
             message: #"failed to parse policy: line 3: path "a": max_wrapping_ttl cannot be less than min_wrapping_ttl"#),
        Case(problem: "allowed_parameters not a map", text: "path \"a\" {\n  allowed_parameters = [\"x\"]\n}",
             code: .invalidParameters, line: 2,
             message: #"failed to parse policy: line 2: path "a": allowed_parameters must be a map of parameter names to lists of values, found a list"#),
        Case(problem: "parameter values not a list", text: "path \"a\" {\n  denied_parameters = {\n    x = { y = 1 }\n  }\n}",
             code: .invalidParameters, line: 3,
             message: #"failed to parse policy: line 3: path "a": denied_parameters "x" must be a list of values, found an object"#),
        Case(problem: "required_parameters not strings", text: "path \"a\" {\n  required_parameters = [true]\n}",
             code: .invalidParameters, line: 2,
             message: #"failed to parse policy: line 2: path "a": required_parameters must be a list of strings, found a list"#),
        Case(problem: "HCL syntax error", text: "path \"a\" {\n  capabilities = [\"read\"\n",
             code: .syntax, line: 3, message: "failed to parse policy: line 3"),
        Case(problem: "path is not a block", text: "path = \"secret/*\"", code: .syntax, line: 1,
             message: #"failed to parse policy: line 1, column 1: "path" must be a block, found a string"#),
        Case(problem: "JSON error names the line", text: "{\n  \"path\": {\n    \"a\": {\"capabilities\": [\"read\",]}\n  }\n}",
             code: .syntax, line: 3, message: "failed to parse policy: line 3"),
        Case(problem: "JSON invalid capability names the line",
             text: "{\n  \"path\": {\n    \"a\": {\n      \"capabilities\": [\"rread\"]\n    }\n  }\n}",
             code: .invalidCapability, line: 4, message: #"failed to parse policy: line 4: path "a": invalid capability "rread""#),
        Case(problem: "base64 text is checked like plain text",
             text: "cGF0aCAiYSIgeyBjYXBhYmlsaXRpZXMgPSBbInJyZWFkIl0gfQ==",
             code: .invalidCapability, line: 1, message: #"failed to parse policy: line 1: path "a": invalid capability "rread""#),
        Case(problem: "empty text", text: "", code: .empty, line: 0, message: "'policy' parameter not supplied or empty"),
    ]

    @Test("rejects", arguments: cases)
    func rejects(_ row: Case) throws {
        let error = try #require(throws: PolicyError.self) { try PolicyParser.parse(name: "x", text: row.text) }
        #expect(error.code == row.code)
        #expect(error.line == row.line)
        #expect(error.message.hasPrefix(row.message), "\(error.message)")
        #expect(error.description == error.message)
    }
}
