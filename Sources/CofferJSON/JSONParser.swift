/// A JSON syntax error: where and what, never the input's content.
///
/// The message describes the kind of problem ("invalid escape sequence in string") and
/// `offset` says where it is; no byte of the input is ever echoed, because request bodies
/// carry secrets and errors end up in logs and HTTP responses.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    public var offset: Int
    /// What went wrong, in words; contains no input content.
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 parser producing ``JSONValue`` trees.
///
/// Rules, chosen to match Go's `encoding/json` where RFC 8259 leaves room:
/// - The input must be valid UTF-8 throughout (overlong forms, UTF-8-encoded surrogates
///   and code points above U+10FFFF are rejected). A byte-order mark is rejected.
/// - Exactly one value, optionally surrounded by whitespace; anything after it is an error.
/// - Numbers follow the RFC grammar (no leading zeros, no `+`, no bare `.`). A number
///   without fraction or exponent that fits in `Int64` becomes `.int`; every other number
///   becomes `.double`. A number whose magnitude overflows `Double` is an error.
/// - Control characters (U+0000–U+001F) must be escaped inside strings.
/// - A `\u` escape naming a lone UTF-16 surrogate (unpaired high or low half) decodes to
///   U+FFFD, as Go does; a Swift `String` cannot hold a lone surrogate.
/// - Duplicate object keys: the last one wins, as in Go.
/// - Arrays and objects nest at most `maxDepth` levels deep. The parser recurses once per
///   level, so keep `maxDepth` in the hundreds (the default is 512).
public enum JSONParser {
    /// Parses one JSON document (RFC 8259), rejecting invalid UTF-8, trailing garbage,
    /// nesting deeper than `maxDepth`.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice`, `ByteBuffer` views…) are parsed in
    /// place; others are copied into an array first.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 512) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            parseBuffer(buffer, maxDepth: maxDepth)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { parseBuffer($0, maxDepth: maxDepth) }.get()
    }

    /// Parses the UTF-8 encoding of `text`.
    public static func parse(_ text: String, maxDepth: Int = 512) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8, maxDepth: maxDepth)
    }

    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONParseError> {
        var parser = JSONByteParser(bytes: buffer, maxDepth: maxDepth)
        do throws(JSONParseError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}
