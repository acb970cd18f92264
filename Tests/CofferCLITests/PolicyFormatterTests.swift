@testable import CofferCLI
import CofferHCL
import Testing

@Suite("policy fmt layout")
struct PolicyFormatterTests {
    private func format(_ text: String) throws -> String {
        do {
            return try PolicyFormatter.format(text)
        } catch {
            Issue.record("format failed: \(error)")
            throw error
        }
    }

    @Test func canonicalLayout() throws {
        let input = """
            # Read-only access.
            path "secret/data/app/*" {capabilities=["read","list"]}
            path "sys/mounts" {
                    capabilities = ["read"] # who may look
                min_wrapping_ttl = "1s"


                allowed_parameters = { "type" = ["kv"], "*" = [] }
            }
            """
        #expect(try format(input) == """
            # Read-only access.
            path "secret/data/app/*" {
              capabilities = ["read", "list"]
            }

            path "sys/mounts" {
              capabilities     = ["read"] # who may look
              min_wrapping_ttl = "1s"

              allowed_parameters = {
                "type" = ["kv"]
                "*"    = []
              }
            }

            """)
    }

    @Test func multilineListsKeepOneElementPerLine() throws {
        let input = """
            path "a" {
              capabilities = [
                "read", # reading
                // then listing
                "list"
              ]
            }
            """
        #expect(try format(input) == """
            path "a" {
              capabilities = [
                "read", # reading
                // then listing
                "list",
              ]
            }

            """)
    }

    @Test func formattingIsIdempotent() throws {
        let input = """
            name = "x"
            path "a/+/b" { policy = "write"
            required_parameters = ["k"] }
            /* trailing
               block comment */
            """
        let once = try format(input)
        #expect(try format(once) == once)
        #expect(once.contains("/* trailing\n   block comment */"), "comments are kept verbatim")
    }

    @Test func heredocsAndEscapesAreKeptVerbatim() throws {
        let input = "path \"a\" {\ncomment = <<EOT\n  indented \"text\"\nEOT\ncapabilities = [\"re\\u0061d\"]\n}\n"
        let output = try format(input)
        #expect(output.contains("comment = <<EOT\n  indented \"text\"\nEOT\n"))
        #expect(output.contains("capabilities = [\"re\\u0061d\"]"))
    }

    @Test func jsonPoliciesArePrettyPrintedInOrder() throws {
        let input = #"{"path":{"secret/*":{"capabilities":["read"]},"sys/*":{"policy":"deny"}}}"#
        #expect(try format(input) == """
            {
              "path": {
                "secret/*": {
                  "capabilities": [
                    "read"
                  ]
                },
                "sys/*": {
                  "policy": "deny"
                }
              }
            }

            """)
    }

    @Test(arguments: [
        ("path \"a\" {\n  capabilities = [\"read\", \"fly\"]\n}\n", "line 2, column 3: path \"a\": invalid capability \"fly\""),
        ("paths \"a\" {}\n", "line 1, column 1: invalid key \"paths\""),
        ("path \"a\" {\n  policy = \"admin\"\n}\n", "line 2, column 3: path \"a\": invalid policy \"admin\""),
        ("path \"a\" {\n  capabilities = [\"read\"\n", "line 3, column 1: expected ']' to close the list opened on line 2, found the end of the file"),
    ])
    func invalidPoliciesNameLineAndColumn(_ input: String, _ expected: String) {
        do {
            _ = try PolicyFormatter.format(input)
            Issue.record("expected a failure")
        } catch {
            guard case .invalid(let hclError) = error else {
                Issue.record("unexpected failure \(error)")
                return
            }
            #expect(hclError.description == expected)
            #expect(error.description == "failed to parse policy: " + expected)
        }
    }

    @Test func emptyDocument() throws {
        #expect(try format("") == "")
        #expect(try format("# only a comment\n") == "# only a comment\n")
    }
}
