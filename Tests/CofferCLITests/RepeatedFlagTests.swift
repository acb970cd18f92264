@testable import CofferCLI
import Testing

@Suite("Repeatable and typed flag values")
struct RepeatedFlagTests {
    let parser = GoFlagParser([
        FlagSpec("policy", kind: .string, usage: ""),
        FlagSpec("metadata", kind: .string, usage: ""),
        FlagSpec("ttl", kind: .string, usage: ""),
    ])

    @Test func everyOccurrenceIsKeptInOrder() throws {
        let result = try parser.parse(["-policy=a", "-policy", " b ", "--policy=c,d", "x"])
        #expect(result.flags.list("policy") == ["a", "b", "c,d"])
        #expect(result.flags.string("policy") == "c,d", "the last occurrence still wins for single values")
        #expect(result.flags.list("metadata") == [])
    }

    @Test func keyValuePairs() throws {
        let result = try parser.parse(["-metadata=team=ops", "-metadata", "note=a=b", "-metadata=team=dev"])
        #expect(try result.flags.keyValues("metadata") == ["team": "dev", "note": "a=b"])
        let bad = try parser.parse(["-metadata=oops"])
        #expect(throws: CLIError.self) { try bad.flags.keyValues("metadata") }
    }

    @Test func durations() throws {
        #expect(try DurationFlag("ttl", in: parser.parse([]).flags) == .unset)
        #expect(try DurationFlag("ttl", in: parser.parse(["-ttl=90m"]).flags) == .seconds(5400))
        #expect(try DurationFlag("ttl", in: parser.parse(["-ttl=3600"]).flags).apiValue == "1h0m0s")
        #expect(try DurationFlag("ttl", in: parser.parse(["-ttl=system"]).flags).apiValue == "system")
        #expect(try DurationFlag("ttl", in: parser.parse(["-ttl=7d"]).flags).seconds == 604_800)
        #expect(throws: CLIError.self) { try DurationFlag("ttl", in: parser.parse(["-ttl=-5s"]).flags) }
        #expect(throws: CLIError.self) { try DurationFlag("ttl", in: parser.parse(["-ttl=soon"]).flags) }
    }
}
