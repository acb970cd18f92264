import CofferJSON
@testable import CofferCLI
import Foundation
import Testing

@Suite("k=v data arguments")
struct KeyValueArgumentsTests {
    private func parse(_ arguments: [String], stdin: String = "") throws(CLIError) -> [String: JSONValue] {
        try KeyValueArguments(stdin: BufferedInput(stdin)).parse(arguments)
    }

    private func failure(_ arguments: [String], stdin: String = "") -> CLIError? {
        do {
            _ = try parse(arguments, stdin: stdin)
            return nil
        } catch {
            return error
        }
    }

    @Test func plainPairsAreStrings() throws {
        let data = try parse(["foo=bar", "empty=", "eq=a=b", "n=3", ""])
        #expect(data == ["foo": "bar", "empty": "", "eq": "a=b", "n": "3"])
    }

    @Test func repeatedKeysBecomeLists() throws {
        let data = try parse(["p=a", "p=b", "p=c", "q=x"])
        #expect(data == ["p": ["a", "b", "c"], "q": "x"])
    }

    @Test func atFileReadsTheFileUnchanged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cert.pem").path
        try "line one\nline two\n".write(toFile: file, atomically: true, encoding: .utf8)

        let data = try parse(["cert=@\(file)", "literal=\\@home"])
        #expect(data == ["cert": "line one\nline two\n", "literal": "@home"])
    }

    @Test func missingFileNamesThePath() {
        let error = failure(["cert=@/nonexistent/coffer-test-file"])
        #expect(error?.code == .fileNotFound)
        #expect(
            error?.message
                == "invalid key/value pair \"cert=@/nonexistent/coffer-test-file\": error reading file: open /nonexistent/coffer-test-file: no such file or directory"
        )
    }

    @Test func dashValueReadsAllOfStdin() throws {
        let data = try parse(["value=-", "other=x"], stdin: "multi\nline\n")
        #expect(data == ["value": "multi\nline\n", "other": "x"])
    }

    @Test func loneDashMergesAJSONObjectFromStdin() throws {
        let data = try parse(["before=1", "-", "after=2"], stdin: #"{"before": "json", "n": 5, "nested": {"a": [true]}}"#)
        #expect(data == ["before": "json", "n": 5, "nested": ["a": [true]], "after": "2"])
    }

    @Test func stdinCanBeReadOnce() {
        #expect(failure(["a=-", "b=-"], stdin: "x")?.message == "invalid key/value pair \"b=-\": stdin already consumed")
        #expect(failure(["-", "-"], stdin: "{}")?.message == "invalid key/value pair \"-\": stdin already consumed")
    }

    @Test func stdinJSONMustBeAnObject() {
        #expect(failure(["-"], stdin: "[1]")?.message == "invalid key/value pair \"-\": the JSON on standard input must be an object")
        #expect(failure(["-"], stdin: "{nope")?.code == .invalidInput)
    }

    @Test func pairsNeedAnEqualsSign() {
        let error = failure(["secret"])
        #expect(error?.code == .invalidInput)
        #expect(error?.message == "invalid key/value pair \"secret\": format must be key=value")
    }

    @Test func queryParametersFlattenLists() throws {
        let query = try KeyValueArguments(stdin: BufferedInput()).parseQuery(["b=2", "a=x", "a=y"])
        #expect(query.map { "\($0.0)=\($0.1)" } == ["a=x", "a=y", "b=2"])
    }
}
