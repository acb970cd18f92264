@testable import CofferHTTP
import CofferJSON
import CofferLogical
import Testing

/// URL and body decoding below the HTTP client (clients normalise some of these away).
@Suite("Request parsing")
struct RequestParsingTests {
    @Test("percent-decoding: once, strict, UTF-8 only")
    func percentDecoding() throws {
        #expect(try RequestParsing.percentDecode("secret/a%2Fb") == "secret/a/b")
        #expect(try RequestParsing.percentDecode("%2541") == "%41")  // decoded exactly once
        #expect(try RequestParsing.percentDecode("a+b") == "a+b")
        #expect(try RequestParsing.percentDecode("a+b", plusAsSpace: true) == "a b")
        #expect(try RequestParsing.percentDecode("caf%C3%A9") == "café")
        for bad in ["%zz", "%4", "abc%", "%ff%fe"] {
            #expect(throws: LogicalError.self) { try RequestParsing.percentDecode(bad[...]) }
        }
    }

    @Test("query strings and Go-style booleans")
    func queries() throws {
        #expect(try RequestParsing.query("list=true&version=2") == ["list": "true", "version": "2"])
        #expect(try RequestParsing.query("a=1&a=2&b") == ["a": "2", "b": ""])
        #expect(try RequestParsing.query(nil) == [:])
        for t in ["1", "t", "T", "true", "TRUE", "True"] { #expect(RequestParsing.parseBool(t) == true) }
        for f in ["0", "f", "F", "false", "FALSE", "False"] { #expect(RequestParsing.parseBool(f) == false) }
        #expect(RequestParsing.parseBool("yes") == nil)
    }

    @Test("bodies: JSON objects, null, forms; everything else a 400 that does not echo the input")
    func bodies() throws {
        #expect(try RequestParsing.body([], contentType: nil) == [:])
        #expect(try RequestParsing.body(Array("  \n".utf8), contentType: nil) == [:])
        #expect(try RequestParsing.body(Array("null".utf8), contentType: nil) == [:])
        #expect(try RequestParsing.body(Array(#"{"a":1}"#.utf8), contentType: "text/plain") == ["a": 1])
        #expect(try RequestParsing.body(Array("a=1&b=x+y".utf8), contentType: "application/x-www-form-urlencoded")
            == ["a": "1", "b": "x y"])
        // A JSON body declared as a form is still JSON (Vault's rule).
        #expect(try RequestParsing.body(Array(#"{"a":"b"}"#.utf8), contentType: "application/x-www-form-urlencoded")
            == ["a": "b"])
        do {
            _ = try RequestParsing.body(Array(#"{"password":"hunter2""#.utf8), contentType: nil)
            Issue.record("truncated JSON must fail")
        } catch let error as LogicalError {
            #expect(error.code == .invalidRequest)
            #expect(!error.messages.joined().contains("hunter2"))
        }
        #expect(throws: LogicalError.self) { try RequestParsing.body(Array("[1]".utf8), contentType: nil) }
        #expect(throws: LogicalError.self) { try RequestParsing.body(Array("\"str\"".utf8), contentType: nil) }
    }
}
