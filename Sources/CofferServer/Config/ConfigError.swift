/// A problem with a server configuration file: which file, which key, which line.
///
/// Messages name keys and lines but never values (a configuration can hold credentials):
/// `config.hcl: unknown key "storge" on line 3`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; extensible.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The file could not be read (missing, unreadable, not UTF-8).
        public static let unreadable = Code(rawValue: "unreadable")
        /// The text is not valid HCL or JSON.
        public static let syntax = Code(rawValue: "syntax")
        /// A key that is not part of the format.
        public static let unknownKey = Code(rawValue: "unknown_key")
        /// A value of the wrong type or out of range.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// A required block or setting is absent.
        public static let missing = Code(rawValue: "missing")
        /// Settings that cannot be used together.
        public static let conflict = Code(rawValue: "conflict")
        /// Valid Vault configuration that Coffer does not support (yet).
        public static let unsupported = Code(rawValue: "unsupported")
    }

    public var code: Code
    /// The file name as given to ``ServerConfig/parse(_:fileName:)`` or ``ServerConfig/load(path:)``.
    public var fileName: String
    /// The key at fault, when there is one.
    public var key: String?
    /// The 1-based line at fault, when known.
    public var line: Int?
    /// What is wrong; names the key and the line, never a value.
    public var message: String

    public init(code: Code, fileName: String, key: String? = nil, line: Int? = nil, message: String) {
        self.code = code
        self.fileName = fileName
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String { "\(fileName): \(message)" }
}
