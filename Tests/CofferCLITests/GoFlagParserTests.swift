@testable import CofferCLI
import Testing

@Suite("Go-style flag parsing")
struct GoFlagParserTests {
    let parser = GoFlagParser([
        FlagSpec("format", kind: .string, usage: ""),
        FlagSpec("field", kind: .string, usage: ""),
        FlagSpec("force", aliases: ["f"], kind: .bool, usage: ""),
        FlagSpec("key-shares", aliases: ["n"], kind: .int, usage: ""),
    ])

    @Test(arguments: [
        ["-format=json", "secret/foo"],
        ["-format", "json", "secret/foo"],
        ["--format=json", "secret/foo"],
        ["--format", "json", "secret/foo"],
    ])
    func stringFlagSpellings(_ arguments: [String]) throws {
        let result = try parser.parse(arguments)
        #expect(result.flags.string("format") == "json")
        #expect(result.positionals == ["secret/foo"])
        #expect(result.misplacedFlags.isEmpty)
    }

    @Test func booleansTakeNoSeparateValue() throws {
        let result = try parser.parse(["-force", "secret/foo"])
        #expect(result.flags.bool("force") == true)
        #expect(result.positionals == ["secret/foo"])

        let alias = try parser.parse(["-f"])
        #expect(alias.flags.bool("force") == true)
        #expect(alias.positionals.isEmpty)

        let off = try parser.parse(["-force=false", "x"])
        #expect(off.flags.bool("force") == false)

        let goTrue = try parser.parse(["--f=T"])
        #expect(goTrue.flags.bool("force") == true)
    }

    @Test func integerFlagsAndAliases() throws {
        let result = try parser.parse(["-n=7", "-key-shares", "9"])
        #expect(result.flags.int("key-shares") == 9, "the last occurrence wins")
    }

    @Test func flagsStopAtFirstPositional() throws {
        let result = try parser.parse(["-f", "secret/foo", "a=b", "-format=json"])
        #expect(result.flags.string("format") == nil)
        #expect(result.positionals == ["secret/foo", "a=b", "-format=json"])
        #expect(result.misplacedFlags == ["-format=json"])
    }

    @Test func doubleDashAndLoneDashEndFlags() throws {
        let dashed = try parser.parse(["-f", "--", "-format=json"])
        #expect(dashed.positionals == ["-format=json"])
        #expect(dashed.flags.string("format") == nil)

        let stdin = try parser.parse(["-force", "secret/foo", "-"])
        #expect(stdin.positionals == ["secret/foo", "-"])
        #expect(stdin.misplacedFlags.isEmpty, "a lone - is data, not a flag")

        let leading = try parser.parse(["-", "-f"])
        #expect(leading.positionals == ["-", "-f"])
    }

    @Test func unknownFlagsAreUsageErrors() {
        #expect(message(["-nope"]) == "flag provided but not defined: -nope")
        #expect(message(["--nope=1", "x"]) == "flag provided but not defined: -nope")
    }

    @Test func badValues() {
        #expect(message(["-format"]) == "flag needs an argument: -format")
        #expect(message(["-n=many"]) == "invalid value \"many\" for flag -n: parse error")
        #expect(message(["-force=yes"]) == "invalid boolean value \"yes\" for -force: parse error")
        #expect(message(["---format=json"]) == "bad flag syntax: ---format=json")
        #expect(message(["-=x"]) == "bad flag syntax: -=x")
    }

    @Test(arguments: ["-h", "-help", "--help", "--h"])
    func helpIsRequested(_ flag: String) {
        #expect(code([flag]) == .helpRequested)
        #expect(code(["-force", flag, "x"]) == .helpRequested)
    }

    @Test func emptyStringValueIsKept() throws {
        let result = try parser.parse(["-field=", "x"])
        #expect(result.flags.string("field") == "")
        #expect(result.flags.isSet("field"))
    }

    @Test func goParseBool() {
        for text in ["1", "t", "T", "true", "TRUE", "True"] { #expect(GoFlagParser.parseBool(text) == true) }
        for text in ["0", "f", "F", "false", "FALSE", "False"] { #expect(GoFlagParser.parseBool(text) == false) }
        for text in ["", "yes", "tRUE", "2"] { #expect(GoFlagParser.parseBool(text) == nil) }
    }

    private func message(_ arguments: [String]) -> String? {
        do {
            _ = try parser.parse(arguments)
            return nil
        } catch {
            #expect(error.code == .usage)
            return error.message
        }
    }

    private func code(_ arguments: [String]) -> CLIError.Code? {
        do {
            _ = try parser.parse(arguments)
            return nil
        } catch {
            return error.code
        }
    }
}
