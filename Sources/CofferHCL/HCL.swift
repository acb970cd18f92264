/// Entry points for reading HCL v1 (the subset Vault's configuration files and ACL
/// policies use) and JSON into the same ``HCLObject`` tree.
///
/// Supported HCL syntax: `#`, `//` and `/* */` comments; identifiers made of letters,
/// digits, `_`, `-` and `.`; quoted keys; `key = value`; blocks with any number of
/// identifier or string labels (`listener "tcp" { ... }`); nested blocks; double-quoted
/// strings with Go-style escapes (`\n \t \r \" \\ \a \b \f \v \' \uXXXX \UXXXXXXXX`,
/// `${...}` kept literally); heredocs (`<<EOF` and the indent-stripping `<<-EOF`);
/// integers (decimal, `0x` hex and, as HCL v1 does, leading-zero octal), floats;
/// `true`/`false`; lists (commas between elements, trailing comma allowed, newlines
/// anywhere); inline objects `{ a = 1, b = "x" }`. Newlines are not significant: items
/// may be separated by newlines, commas or nothing.
public enum HCL {
    /// The default limit on nested blocks, objects and lists. Policies arrive over the
    /// API, so hostile nesting must not exhaust the stack.
    public static let defaultMaxDepth = 100

    /// Parses HCL text.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(HCLError) -> HCLObject {
        var parser = try HCLParser(text: text, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses a JSON document whose top level is an object. Object member order,
    /// duplicate keys and each key's line and column are kept.
    public static func parseJSON(_ text: String, maxDepth: Int = defaultMaxDepth) throws(HCLError) -> HCLObject {
        try HCLJSONReader.read(text, maxDepth: maxDepth)
    }

    /// JSON if the first non-whitespace character is `{`, HCL otherwise (as HCL v1 decides).
    public static func parseAuto(_ text: String, maxDepth: Int = defaultMaxDepth) throws(HCLError) -> HCLObject {
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ", "\t", "\n", "\r", "\u{FEFF}": continue
            case "{": return try parseJSON(text, maxDepth: maxDepth)
            default: return try parse(text, maxDepth: maxDepth)
            }
        }
        return HCLObject()
    }
}
