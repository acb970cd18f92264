/// A syntax or shape error in an HCL or JSON document, with its position.
///
/// Messages say what was expected and what kind of token was found, never the text of
/// values (configuration files can hold credentials). Key names may appear.
public struct HCLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The text is not valid HCL (or JSON).
        public static let syntax = Code(rawValue: "syntax")
        /// Valid syntax, but a value has the wrong shape for what reads it (e.g. a
        /// string where a block body is expected).
        public static let shape = Code(rawValue: "shape")
    }

    public var code: Code
    /// 1-based line, or 0 when unknown.
    public var line: Int
    /// 1-based column in Unicode scalars, or 0 when unknown.
    public var column: Int
    public var message: String

    public init(code: Code = .syntax, line: Int, column: Int, message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.message = message
    }

    /// `"line 3, column 5: expected '=' or '{' after a key, found a number"`.
    public var description: String {
        if line == 0 { return message }
        if column == 0 { return "line \(line): \(message)" }
        return "line \(line), column \(column): \(message)"
    }
}
