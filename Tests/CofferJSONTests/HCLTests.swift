import CofferHCL
import CofferJSON
import Testing

@Suite("HCL parser")
struct HCLParserTests {
    private func hclError(_ text: String) -> HCLError? {
        do {
            _ = try HCL.parse(text)
            return nil
        } catch {
            return error
        }
    }

    private func jsonError(_ text: String) -> HCLError? {
        do {
            _ = try HCL.parseJSON(text)
            return nil
        } catch {
            return error
        }
    }

    static let policy = """
        # Allow tokens to look up their own properties
        path "auth/token/lookup-self" {
            capabilities = ["read"]
        }

        path "secret/data/+/config" {
          capabilities = ["create", "read", "update", "delete", "list",]
        }

        path "secret/*" {
          capabilities = [
            "read",   // trailing comment
            "list"
          ]
          /* a block comment
             spanning lines */
          allowed_parameters = {
            "ttl" = []
            "*" = ["a", "b"]
          }
          min_wrapping_ttl = 1
        }

        path "sys/policy/*" { capabilities = ["deny"] }
        """

    @Test func vaultPolicy() throws {
        let document = try HCL.parse(Self.policy)
        let paths = document.entries(named: "path")
        #expect(paths.count == 4)
        #expect(document.keys == ["path", "path", "path", "path"])
        #expect(paths.map(\.line) == [2, 6, 10, 24])
        let blocks = try document.blocks(named: "path")
        #expect(blocks.map(\.label) == ["auth/token/lookup-self", "secret/data/+/config", "secret/*", "sys/policy/*"])
        #expect(blocks.map(\.line) == [2, 6, 10, 24])
        #expect(blocks[0].body["capabilities"]?.stringList == ["read"])
        #expect(blocks[1].body["capabilities"]?.stringList == ["create", "read", "update", "delete", "list"])
        #expect(blocks[2].body["capabilities"]?.stringList == ["read", "list"])
        #expect(blocks[2].body.entry(named: "capabilities")?.line == 11)
        let parameters = try #require(blocks[2].body["allowed_parameters"]?.objectValue)
        #expect(parameters.keys == ["ttl", "*"])
        #expect(parameters["ttl"] == .list([]))
        #expect(parameters["*"]?.stringList == ["a", "b"])
        #expect(blocks[2].body["min_wrapping_ttl"] == .int(1))
        #expect(blocks[3].body["capabilities"]?.stringList == ["deny"])
    }

    @Test func blockLabelsNest() throws {
        let document = try HCL.parse(#"a b "c d" { x = 1 }"#)
        let expected = HCLObject([
            HCLEntry(key: "a", value: .object(HCLObject([
                HCLEntry(key: "b", value: .object(HCLObject([
                    HCLEntry(key: "c d", value: .object(HCLObject([HCLEntry(key: "x", value: .int(1))]))),
                ]))),
            ]))),
        ])
        #expect(document.strippingPositions() == expected)
        #expect(try HCL.parse("a = { b = { \"c d\" = { x = 1 } } }").strippingPositions() == expected)
    }

    @Test func heredocs() throws {
        let text = """
            policy = <<EOF
            path "secret/*" {
              capabilities = ["read"]
            }
            EOF
            indented = <<-EOT
                line one
                  line two

                EOT
            empty = <<X
            X
            crlf = <<Y\r
            a\r
            Y\r
            after = "ok"
            """
        let document = try HCL.parse(text)
        #expect(document["policy"] == .string("path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n"))
        #expect(document["indented"] == .string("line one\n  line two\n\n"))
        #expect(document["empty"] == .string(""))
        #expect(document["crlf"] == .string("a\n"))
        #expect(document["after"] == .string("ok"))
        #expect(document.entry(named: "after")?.line == 16)
        // The policy inside the heredoc parses too.
        let inner = try HCL.parse(try #require(document["policy"]?.stringValue))
        #expect(try inner.blocks(named: "path").first?.label == "secret/*")
        // <<- keeps text as is when not every line carries the closing indentation.
        let ragged = try HCL.parse("x = <<-E\n  a\nb\n  E\n")
        #expect(ragged["x"] == .string("  a\nb\n"))
    }

    @Test func scalars() throws {
        let document = try HCL.parse("""
            s = "tab\\there \\"q\\" \\\\ \\u00e9 \\U0001F600"
            i = 42
            n = -7
            h = 0x1F
            o = 0755
            z = 0
            f = 1.5
            e = 1e3
            t = true
            b = false
            interp = "${var.a["b"]}"
            "quoted key" = "v"
            dotted.key-name_1 = "x"
            """)
        #expect(document["s"] == .string("tab\there \"q\" \\ é 😀"))
        #expect(document["i"] == .int(42))
        #expect(document["n"] == .int(-7))
        #expect(document["h"] == .int(31))
        #expect(document["o"] == .int(493))
        #expect(document["z"] == .int(0))
        #expect(document["f"] == .double(1.5))
        #expect(document["e"] == .double(1000))
        #expect(document["t"] == .bool(true))
        #expect(document["b"] == .bool(false))
        #expect(document["interp"] == .string("${var.a[\"b\"]}"))
        #expect(document["quoted key"] == .string("v"))
        #expect(document["dotted.key-name_1"] == .string("x"))
    }

    @Test func separatorsAndLists() throws {
        let document = try HCL.parse("""
            a = 1, b = 2 c = 3
            inline = { x = 1, y = "two", }
            nested = [[1, 2], [], {k = "v"}, <<EOF
            doc
            EOF
            ]
            multi = [
              "a",

              "b",
            ]
            """)
        #expect(document.keys == ["a", "b", "c", "inline", "nested", "multi"])
        #expect(document["inline"]?.objectValue?.keys == ["x", "y"])
        let nested = try #require(document["nested"]?.listValue)
        #expect(nested.count == 4)
        #expect(nested[0] == .list([.int(1), .int(2)]))
        #expect(nested[2].objectValue?["k"] == .string("v"))
        #expect(nested[3] == .string("doc\n"))
        #expect(document["multi"]?.stringList == ["a", "b"])
    }

    @Test func duplicatesKeptInOrder() throws {
        let document = try HCL.parse("""
            listener "tcp" { address = "a" }
            x = 1
            listener "tcp" { address = "b" }
            x = 2
            """)
        #expect(document.entries(named: "listener").count == 2)
        #expect(try document.blocks(named: "listener").map { $0.body["address"]?.stringValue } == ["a", "b"])
        #expect(document["x"] == .int(2))
        #expect(document.jsonValue == ["listener": [["tcp": ["address": "a"]], ["tcp": ["address": "b"]]], "x": [1, 2]])
    }

    @Test func emptyAndCommentOnlyDocuments() throws {
        #expect(try HCL.parse("").entries.isEmpty)
        #expect(try HCL.parse("  # nothing\n// here\n/* or here */\n").entries.isEmpty)
        #expect(try HCL.parseAuto("\n").entries.isEmpty)
    }

    @Test(arguments: [
        ("a = 1\nb 2", 2, 3, "expected '=' or '{'"),
        ("a = \"unterminated\nb = 1", 1, 5, "not closed"),
        ("a {\n  b = 1\n", 3, 1, "close the object opened on line 1"),
        ("a = [1, 2\n b = 3]", 2, 2, "expected ',' or ']'"),
        ("a = [1, 2", 1, 10, "close the list opened on line 1"),
        ("a = value", 1, 5, "strings must be quoted"),
        ("a = <<EOF\nnever closed\n", 1, 5, "heredoc"),
        ("a = <<EOF trailing\nEOF\n", 1, 11, "newline after the heredoc anchor"),
        ("a = \"bad \\q escape\"", 1, 10, "unknown escape"),
        ("a \"b\" = 1", 1, 7, "expected '{' after the block labels on line 1"),
        ("path \"x\"\n  capabilities = [\"read\"]\n}", 2, 16, "expected '{' after the block labels on line 1"),
        ("= 1", 1, 1, "expected a key"),
        ("}", 1, 1, "expected a key"),
        ("a = ", 1, 5, "expected a value, found the end of the file"),
        ("a = ]", 1, 5, "expected a value, found ']'"),
        ("a = 10s", 1, 5, "must be quoted"),
        ("a = 08", 1, 5, "octal"),
        ("a = 99999999999999999999", 1, 5, "out of range"),
        ("a = 1 ; b = 2", 1, 7, "unexpected character ';'"),
        ("/* open", 1, 1, "comment"),
        ("x = 1\n  y = [1,,2]", 2, 10, "expected a value, found ','"),
        ("é = 1\nñ = @", 2, 5, "unexpected character '@'"),
    ] as [(String, Int, Int, String)])
    func errorsNameLineAndColumn(_ text: String, _ line: Int, _ column: Int, _ fragment: String) throws {
        let error = try #require(hclError(text))
        #expect(error.line == line)
        #expect(error.column == column)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.description.hasPrefix("line \(line), column \(column): "))
        #expect(error.code == .syntax)
    }

    @Test func errorsDoNotEchoValues() throws {
        let error = try #require(hclError(#"seal "transit" { token = "hvs.SECRET" "#))
        #expect(!error.description.contains("hvs.SECRET"))
        let badEscape = try #require(hclError(#"token = "hvs.SECRET\q""#))
        #expect(!badEscape.description.contains("SECRET"))
        let json = try #require(jsonError(#"{"token": "hvs.SECRET" x}"#))
        #expect(!json.description.contains("SECRET"))
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "a {", count: 101) + String(repeating: "}", count: 101)
        #expect(hclError(deep)?.message.contains("nesting") == true)
        let ok = String(repeating: "a {", count: 100) + String(repeating: "}", count: 100)
        #expect(hclError(ok) == nil)
        let lists = "a = " + String(repeating: "[", count: 100_000)
        #expect(hclError(lists)?.message.contains("nesting") == true)
        #expect(jsonError("{\"a\":" + String(repeating: "[", count: 100_000) + "}")?.message.contains("nesting") == true)
    }
}

@Suite("HCL JSON front end")
struct HCLJSONTests {
    @Test func policyEquivalence() throws {
        let json = """
            {
              "path": {
                "auth/token/lookup-self": {"capabilities": ["read"]},
                "secret/data/+/config": {"capabilities": ["create", "read", "update", "delete", "list"]},
                "secret/*": {
                  "capabilities": ["read", "list"],
                  "allowed_parameters": {"ttl": [], "*": ["a", "b"]},
                  "min_wrapping_ttl": 1
                },
                "sys/policy/*": {"capabilities": ["deny"]}
              }
            }
            """
        let fromJSON = try HCL.parseJSON(json)
        let fromHCL = try HCL.parse(HCLParserTests.policy)
        #expect(try fromJSON.blocks(named: "path").map { HCLBlock(label: $0.label, body: $0.body.strippingPositions(), line: 0) }
            == fromHCL.blocks(named: "path").map { HCLBlock(label: $0.label, body: $0.body.strippingPositions(), line: 0) })
        #expect(try HCL.parseAuto(json).strippingPositions() == fromJSON.strippingPositions())
    }

    @Test func blockEquivalenceExact() throws {
        let hcl = """
            storage "sqlite" {
              path = "/data/coffer.db"
            }
            listener "tcp" {
              address = "0.0.0.0:8200"
              tls_disable = true
            }
            ui = true
            default_lease_ttl = "768h"
            ratio = 0.5
            """
        let json = #"""
            {"storage": {"sqlite": {"path": "/data/coffer.db"}},
             "listener": {"tcp": {"address": "0.0.0.0:8200", "tls_disable": true}},
             "ui": true, "default_lease_ttl": "768h", "ratio": 0.5}
            """#
        #expect(try HCL.parse(hcl).strippingPositions() == HCL.parseJSON(json).strippingPositions())
        #expect(try HCL.parseAuto(hcl).strippingPositions() == HCL.parseAuto(json).strippingPositions())
    }

    @Test func keyPositions() throws {
        let json = "{\n  \"storage\": {\n    \"sqlite\": {\"path\": \"x\"}\n  },\n  \"ui\": true,\n\t\"é\": 1, \"z\": null\n}"
        let document = try HCL.parseJSON(json)
        #expect(document.entries.map(\.line) == [2, 5, 6, 6])
        #expect(document.entries.map(\.column) == [3, 3, 2, 10])
        let storage = try #require(document["storage"]?.objectValue)
        #expect(storage.entries[0].line == 3)
        #expect(storage["sqlite"]?.objectValue?.entries.first?.line == 3)
        #expect(storage["sqlite"]?.objectValue?.entries.first?.column == 16)
        #expect(document["z"] == .null)
    }

    @Test func orderAndDuplicatesKept() throws {
        let document = try HCL.parseJSON(#"{"b": 1, "a": {"y": "1", "x": [1, 2.5, "s", true, null, {"k": -3}]}, "b": 2}"#)
        #expect(document.keys == ["b", "a", "b"])
        #expect(document["b"] == .int(2))
        #expect(document["a"]?.objectValue?.keys == ["y", "x"])
        #expect(document["a"]?.objectValue?["x"] == .list([.int(1), .double(2.5), .string("s"), .bool(true), .null,
                                                           .object(HCLObject([HCLEntry(key: "k", value: .int(-3), line: 1, column: 58)]))]))
    }

    @Test func listOfObjectsFlattens() throws {
        let arrayForm = try HCL.parseJSON(#"{"listener": [{"tcp": {"address": "a"}}, {"tcp": {"address": "b"}, "unix": {}}]}"#)
        let objectForm = try HCL.parseJSON(#"{"listener": {"tcp": {"address": "a"}}}"#)
        #expect(try arrayForm.blocks(named: "listener").map(\.label) == ["tcp", "tcp", "unix"])
        #expect(try arrayForm.blocks(named: "listener").map { $0.body["address"]?.stringValue } == ["a", "b", nil])
        #expect(try objectForm.blocks(named: "listener").map(\.label) == ["tcp"])
        let labelList = try HCL.parseJSON(#"{"listener": {"tcp": [{"address": "a"}, {"address": "b"}]}}"#)
        #expect(try labelList.blocks(named: "listener").count == 2)
        let unlabelled = try HCL.parseJSON(#"{"replication": [{"a": 1}, {"b": 2}]}"#)
        #expect(try unlabelled.unlabelledBlocks(named: "replication").map(\.body.keys) == [["a"], ["b"]])
    }

    @Test func shapeErrors() throws {
        let document = try HCL.parseJSON("{\n\"listener\": \"tcp\",\n\"storage\": {\"sqlite\": 3}}")
        #expect(throws: HCLError.self) { try document.blocks(named: "listener") }
        do {
            _ = try document.blocks(named: "storage")
            Issue.record("expected a shape error")
        } catch {
            #expect(error.code == .shape)
            #expect(error.line == 3)
            #expect(error.message.contains("\"storage\" block \"sqlite\" must have a body"))
        }
    }

    @Test(arguments: [
        ("[1]", 1, 1, "top level"),
        ("{\"a\": 1,}", 1, 9, "invalid JSON"),
        ("{\n  \"a\": tru\n}", 2, 11, "invalid JSON"),
        ("{\"a\": 1} x", 1, 10, "invalid JSON"),
        ("{\"a\": \"\u{1}\"}", 1, 8, "control character"),
    ] as [(String, Int, Int, String)])
    func jsonErrors(_ text: String, _ line: Int, _ column: Int, _ fragment: String) throws {
        do {
            _ = try HCL.parseJSON(text)
            Issue.record("accepted")
        } catch {
            #expect(error.line == line)
            #expect(error.column == column)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }
}

@Suite("HCL value accessors")
struct HCLAccessorTests {
    @Test func bools() {
        #expect(HCLValue.bool(true).boolValue == true)
        #expect(HCLValue.string("true").boolValue == true)
        #expect(HCLValue.string("1").boolValue == true)
        #expect(HCLValue.string("FALSE").boolValue == false)
        #expect(HCLValue.string("yes").boolValue == nil)
        #expect(HCLValue.int(1).boolValue == nil)
        #expect(HCLValue.int(1).weakBoolValue == true)
        #expect(HCLValue.int(0).weakBoolValue == false)
        #expect(HCLValue.string("").weakBoolValue == false)
        #expect(HCLValue.string("t").weakBoolValue == true)
        #expect(HCLValue.list([]).weakBoolValue == nil)
    }

    @Test func numbersAndStrings() {
        #expect(HCLValue.string("8200").intValue == 8200)
        #expect(HCLValue.string("-5").intValue == -5)
        #expect(HCLValue.string("0x10").intValue == 16)
        #expect(HCLValue.string("1.5").intValue == nil)
        #expect(HCLValue.string("").intValue == nil)
        #expect(HCLValue.double(3).intValue == 3)
        #expect(HCLValue.double(3.5).intValue == nil)
        #expect(HCLValue.int(7).stringValue == "7")
        #expect(HCLValue.bool(true).stringValue == nil)
        #expect(HCLValue.string("2.5").doubleValue == 2.5)
        #expect(HCLValue.string("x").stringList == ["x"])
        #expect(HCLValue.list([.string("a"), .int(1)]).stringList == ["a", "1"])
        #expect(HCLValue.list([.string("a"), .bool(true)]).stringList == nil)
        #expect(HCLValue.list([.object(HCLObject()), .int(1)]).objectList == nil)
    }

    @Test func toJSON() throws {
        let document = try HCL.parse("""
            a = 1
            b = [true, 1.5, "x"]
            c { d = "e" }
            """)
        #expect(document.jsonValue == ["a": 1, "b": [true, 1.5, "x"], "c": ["d": "e"]])
        #expect(HCLValue.null.jsonValue == .null)
    }
}
