import CofferJSON
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    private func parse(_ text: String, maxDepth: Int = 512) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    private func parseError(_ bytes: [UInt8], maxDepth: Int = 512) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    private func parseError(_ text: String, maxDepth: Int = 512) -> JSONParseError? {
        parseError(Array(text.utf8), maxDepth: maxDepth)
    }

    @Test func scalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" false\n") == .bool(false))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("0") == .int(0))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("42") == .int(42))
        #expect(try parse("-17") == .int(-17))
    }

    @Test func integersAndDoublesStayApart() throws {
        #expect(try parse("3600") == .int(3600))
        #expect(try parse("3600.0") == .double(3600))
        #expect(try parse("1e3") == .double(1000))
        #expect(try parse("1E+3") == .double(1000))
        #expect(try parse("2.5e-3") == .double(0.0025))
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-9223372036854775809") == .double(-0x1p63))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try parse("0.1") == .double(0.1))
    }

    @Test func containers() throws {
        let value = try parse(#" { "a" : [1, 2.5, "x", null, true, {}, []], "b": {"c": {"d": -1}} } "#)
        #expect(value == ["a": [1, 2.5, "x", nil, true, [:], []], "b": ["c": ["d": -1]]])
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
    }

    @Test func duplicateKeysLastWins() throws {
        #expect(try parse(#"{"a":1,"b":2,"a":3}"#) == ["a": 3, "b": 2])
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\be\ff\ng\rh\ti""#) == .string("a\"b\\c/d\u{08}e\u{0C}f\ng\rh\ti"))
        #expect(try parse(#""\u0041\u00e9\u20AC""#) == .string("Aé€"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""x\ud83d\ude00y\"""#) == .string("x😀y\""))
    }

    @Test func loneSurrogatesBecomeReplacementCharacter() throws {
        #expect(try parse(#""\ud83d""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\ude00x""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\ud83dx""#) == .string("\u{FFFD}x"))
        // A high surrogate followed by a non-surrogate escape: both are decoded.
        #expect(try parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
        #expect(try parse(#""\ud83d\ud83d\ude00""#) == .string("\u{FFFD}😀"))
    }

    @Test func utf8PassesThrough() throws {
        let text = "\"héllo wörld ✓ 😀 日本\""
        #expect(try parse(text) == .string("héllo wörld ✓ 😀 日本"))
        #expect(try parse("{\"ключ\":\"значение\"}") == ["ключ": "значение"])
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "falsey", "nulll", "True", "NULL",
        "01", "-01", "00", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-", "--1", "0x10", "1_000", "NaN", "Infinity", "-Infinity",
        "1e400", "-1e400",
        "[", "]", "[1,]", "[,1]", "[1 2]", "[1,,2]", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}",
        "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{,}", "{1:2}",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\\"", "'a'",
        "1 2", "{} x", "[] []", "null,", "\"a\"\"b\"", "true false",
        "\"a\tb\"", "\"a\nb\"", "\"\u{1}\"", "\"\u{1F}\"",
        "/* c */ 1", "// c\n1", "\u{FEFF}1", "\u{A0}1",
    ])
    func rejects(_ text: String) {
        #expect(parseError(text) != nil, "accepted \(text.debugDescription)")
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],  // invalid byte
        [0x22, 0x80, 0x22],  // lone continuation byte
        [0x22, 0xC0, 0x80, 0x22],  // overlong NUL
        [0x22, 0xC1, 0xBF, 0x22],  // overlong
        [0x22, 0xE0, 0x80, 0x80, 0x22],  // overlong three-byte
        [0x22, 0xF0, 0x80, 0x80, 0x80, 0x22],  // overlong four-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],  // invalid lead
        [0x22, 0xC3, 0x22],  // truncated sequence
        [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
        [0x22, 0xC3],  // truncated at end of input
        [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // invalid after an escape (slow path)
        [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D],  // invalid in a key
        [0xC3, 0xA9],  // non-ASCII outside a string
        [0x31, 0x20, 0xFF],  // trailing invalid byte
    ] as [[UInt8]])
    func rejectsInvalidUTF8(_ bytes: [UInt8]) {
        #expect(parseError(bytes) != nil)
    }

    /// The string scanner skips eight plain bytes at a time; every special byte must be
    /// noticed at every position of a word.
    @Test func specialBytesAtEveryOffset() throws {
        for offset in 0..<20 {
            let prefix = Array(repeating: UInt8(ascii: "a"), count: offset)
            let suffix = Array(repeating: UInt8(ascii: "b"), count: 11)
            func string(_ middle: [UInt8]) -> [UInt8] { [0x22] + prefix + middle + suffix + [0x22] }
            let plain = String(repeating: "a", count: offset)
            let tail = String(repeating: "b", count: 11)
            #expect(try JSONParser.parse(string([0x5C, 0x6E])) == .string(plain + "\n" + tail))
            #expect(try JSONParser.parse(string([0xC3, 0xA9])) == .string(plain + "é" + tail))
            #expect(try JSONParser.parse(string([0x7F, 0x20, 0x21, 0x7E])) == .string(plain + "\u{7F} !~" + tail))
            #expect(try JSONParser.parse([0x22] + prefix + [0x22]) == .string(plain))
            for bad: UInt8 in [0x00, 0x01, 0x0A, 0x1F, 0x80, 0xFF] {
                #expect(parseError(string([bad])) != nil, "byte \(bad) at offset \(offset)")
            }
            #expect(parseError(string([0x22])) != nil)  // the quote ends the string early: trailing garbage
        }
    }

    @Test func validMultibyteEdgesAccepted() throws {
        // U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF
        let bytes: [UInt8] = [0x22, 0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80,
                              0xEF, 0xBF, 0xBF, 0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]
        let value = try JSONParser.parse(bytes)
        #expect(value == .string("\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}"))
    }

    @Test func errorsGiveOffsetAndNeverEchoInput() {
        let secret = "s3cr3t-t0k3n"
        let cases: [(String, Int)] = [
            ("{\"token\": \"\(secret)\" x}", 25),
            ("{\"token\": \(secret)}", 10),
            ("[\"\(secret)\", ]", 17),
            ("\"\(secret)\\q\"", 13),
        ]
        for (text, offset) in cases {
            let error = parseError(text)
            #expect(error?.offset == offset, "\(text)")
            #expect(error.map { !$0.description.contains(secret) && !$0.message.contains("s3") } == true)
        }
        #expect(parseError("[1, 2")?.message.contains("end of input") == true)
        #expect(parseError("01")?.message.contains("leading zero") == true)
        #expect(parseError("1 2")?.offset == 2)
    }

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try parse(ok) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(parseError(tooDeep)?.message.contains("nesting") == true)
        let objects = String(repeating: "{\"a\":", count: 20) + "1" + String(repeating: "}", count: 20)
        #expect(parseError(objects, maxDepth: 19) != nil)
        #expect(throws: Never.self) { try parse(objects, maxDepth: 20) }
        // Far deeper than the stack could take if the limit were not enforced early.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(parseError(hostile)?.offset == 512)
    }

    @Test func nonContiguousCollections() throws {
        let text = #"{"a":[1,"\u00e9",true]}"#
        let value = try JSONParser.parse(text.utf8)
        #expect(value == ["a": [1, "é", true]])
        let lazy = Array(text.utf8).lazy.map { $0 }
        #expect(try JSONParser.parse(lazy) == value)
        #expect(try JSONParser.parse(Array(text.utf8)[...]) == value)
        #expect(try JSONValue(parsing: text) == value)
    }

    @Test func bigInput() throws {
        var elements: [JSONValue] = []
        for i in 0..<20_000 {
            elements.append([
                "id": .int(Int64(i)), "name": .string("item-\(i) <é> \"quoted\"\n"),
                "ratio": .double(Double(i) / 7 + 0.5), "tags": ["a", "b"], "on": .bool(i % 2 == 0), "nothing": nil,
            ])
        }
        let value = JSONValue.array(elements)
        let bytes = JSONWriter.bytes(value)
        #expect(bytes.count > 1_000_000)
        #expect(try JSONParser.parse(bytes) == value)
        let pretty = JSONWriter.bytes(value, pretty: true)
        #expect(try JSONParser.parse(pretty) == value)
        let longString = String(repeating: "x", count: 5_000_000)
        #expect(try JSONParser.parse(JSONWriter.bytes(.string(longString))) == .string(longString))
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test func scalars() {
        #expect(JSONWriter.string(nil) == "null")
        #expect(JSONWriter.string(true) == "true")
        #expect(JSONWriter.string(false) == "false")
        #expect(JSONWriter.string(0) == "0")
        #expect(JSONWriter.string(7) == "7")
        #expect(JSONWriter.string(-7) == "-7")
        #expect(JSONWriter.string(3600) == "3600")
        #expect(JSONWriter.string(.int(.max)) == "9223372036854775807")
        #expect(JSONWriter.string(.int(.min)) == "-9223372036854775808")
        #expect(JSONWriter.string("") == "\"\"")
    }

    @Test(arguments: [
        (3.0, "3"), (-3.0, "-3"), (0.0, "0"), (-0.0, "-0"), (0.1, "0.1"), (-1.5, "-1.5"), (2.5e-3, "0.0025"),
        (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e21, "1.5e+21"), (123456789.123, "123456789.123"),
        (0.000001, "0.000001"), (1e-7, "1e-7"), (1.25e-7, "1.25e-7"), (1e-10, "1e-10"), (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (1e16, "10000000000000000"),
        (9007199254740993.0, "9007199254740992"), (1.0 / 3.0, "0.3333333333333333"), (100.5, "100.5"),
        (Double.nan, "null"), (Double.infinity, "null"), (-Double.infinity, "null"),
    ] as [(Double, String)])
    func doublesLikeGo(_ value: Double, _ expected: String) throws {
        #expect(JSONWriter.string(.double(value)) == expected)
        if value.isFinite {
            #expect(try JSONParser.parse(Array(expected.utf8)).doubleValue == value)
        }
    }

    @Test func escapingLikeGo() {
        #expect(JSONWriter.string("a\"b\\c") == #""a\"b\\c""#)
        #expect(JSONWriter.string("\n\r\t\u{08}\u{0C}") == #""\n\r\t\b\f""#)
        #expect(JSONWriter.string("\u{0}\u{1}\u{1F}\u{7F}") == #""\u0000\u0001\u001f"# + "\u{7F}\"")
        #expect(JSONWriter.string("<script>&amp;</script>") == #""\u003cscript\u003e\u0026amp;\u003c/script\u003e""#)
        #expect(JSONWriter.string("a\u{2028}b\u{2029}c") == #""a\u2028b\u2029c""#)
        #expect(JSONWriter.string("€ é 😀 ✓ \u{2027}") == "\"€ é 😀 ✓ \u{2027}\"")
        #expect(JSONWriter.string("/") == "\"/\"")
        #expect(JSONWriter.string(["<k>": "v"]) == #"{"\u003ck\u003e":"v"}"#)
    }

    @Test func keysSortedBytewise() {
        let value: JSONValue = ["b": 1, "a": 2, "B": 3, "aa": 4, "": 5, "é": 6, "z": 7, "\u{FF5A}": 8, "😀": 9]
        #expect(JSONWriter.string(value) == #"{"":5,"B":3,"a":2,"aa":4,"b":1,"z":7,"é":6,"ｚ":8,"😀":9}"#)
    }

    @Test func deterministicNesting() {
        let value: JSONValue = ["data": ["zeta": [1, 2, ["y": nil, "x": false]], "alpha": "s"], "lease_duration": 0]
        #expect(JSONWriter.string(value) == #"{"data":{"alpha":"s","zeta":[1,2,{"x":false,"y":null}]},"lease_duration":0}"#)
    }

    @Test func prettyLikeMarshalIndent() {
        let value: JSONValue = ["b": [:], "a": [1, 2.5, ["k": "v"]], "c": [], "d": nil]
        let expected = """
            {
              "a": [
                1,
                2.5,
                {
                  "k": "v"
                }
              ],
              "b": {},
              "c": [],
              "d": null
            }
            """
        #expect(JSONWriter.string(value, pretty: true) == expected)
        #expect(JSONWriter.string(1, pretty: true) == "1")
        #expect(JSONWriter.string([], pretty: true) == "[]")
    }

    @Test func writeAppends() {
        var buffer = Array("prefix:".utf8)
        JSONWriter.write(["a": 1], into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:{"a":1}"#)
    }

    @Test(arguments: [
        #"{"a":[1,-2,3.25,"x\u003cy",true,false,null,{}],"b":{"c":"\u2028\n"},"e":1e+21,"f":1e-7}"#,
        #"[]"#, #""""#, #"{"":{"":[]}}"#,
    ])
    func roundTripIsStable(_ text: String) throws {
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(JSONWriter.string(value) == text)
        #expect(try JSONParser.parse(JSONWriter.bytes(value, pretty: true)) == value)
    }

    @Test func conveniences() {
        #expect(JSONValue(["read", "list"]) == .array([.string("read"), .string("list")]))
        #expect(JSONValue(["k": "v"]) == .object(["k": .string("v")]))
        #expect((["b": 1, "a": [true]] as JSONValue).jsonString == #"{"a":[true],"b":1}"#)
        #expect(JSONValue(["x", "y"]).stringArrayValue == ["x", "y"])
        #expect(([1, "y"] as JSONValue).stringArrayValue == nil)
        #expect((["a": 1] as JSONValue).prettyJSONString == "{\n  \"a\": 1\n}")
    }
}

@Suite("Vault durations")
struct VaultDurationTests {
    @Test(arguments: [
        ("0", 0), ("", 0), ("3600", 3600), (" 60 ", 60), ("45s", 45), ("30m", 1800), ("768h", 2_764_800),
        ("8760h", 31_536_000), ("1h30m", 5400), ("1h30m15s", 5415), ("1.5h", 5400), ("90s", 90), (".5m", 30),
        ("500ms", 0), ("1500ms", 1), ("2000000us", 2), ("2000000µs", 2), ("3000000000ns", 3), ("7d", 604_800),
        ("+5s", 5), ("0s", 0), ("-0s", 0), ("1m0.5s", 60), ("2h45m30.9s", 9930),
    ] as [(String, Int64)])
    func parses(_ text: String, _ seconds: Int64) throws {
        #expect(VaultDuration.parseSeconds(text) == seconds)
        #expect(try VaultDuration.seconds(.string(text)) == seconds)
    }

    @Test(arguments: ["abc", "1x", "h", "1h 30m", ".s", "1.2.3s", "10y", "1d2h", "1.5d", "--5s", "s5", "9999999999h", "1e3s", "0x10"])
    func rejectsGarbage(_ text: String) {
        #expect(VaultDuration.parseSeconds(text) == nil)
        #expect(throws: VaultDuration.ParseError(code: .invalid, message: "invalid duration")) { try VaultDuration.seconds(text) }
    }

    @Test(arguments: ["-1", "-5s", "-1h30m", "-2d"])
    func rejectsNegatives(_ text: String) {
        #expect(VaultDuration.parseSeconds(text) == nil)
        #expect(performing: { try VaultDuration.seconds(text) }, throws: { ($0 as? VaultDuration.ParseError)?.code == .negative })
    }

    @Test func jsonValues() {
        #expect(VaultDuration.parseSeconds(.int(90)) == 90)
        #expect(VaultDuration.parseSeconds(.double(90.9)) == 90)
        #expect(VaultDuration.parseSeconds(nil) == 0)
        #expect(VaultDuration.parseSeconds(.int(-1)) == nil)
        #expect(VaultDuration.parseSeconds(.double(-3)) == nil)
        #expect(VaultDuration.parseSeconds(.double(.nan)) == nil)
        #expect(VaultDuration.parseSeconds(true) == nil)
        #expect(VaultDuration.parseSeconds(["1h"]) == nil)
    }

    @Test func goString() {
        #expect(VaultDuration.goString(seconds: 0) == "0s")
        #expect(VaultDuration.goString(seconds: 45) == "45s")
        #expect(VaultDuration.goString(seconds: 90) == "1m30s")
        #expect(VaultDuration.goString(seconds: 2_764_800) == "768h0m0s")
        #expect(VaultDuration.goString(seconds: 3601) == "1h0m1s")
    }
}
