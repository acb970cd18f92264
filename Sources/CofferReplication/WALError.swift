/// Errors of the write-ahead log's formats: a record or log metadata that cannot be read.
///
/// Messages say what is wrong with the bytes (lengths, versions), never quote them: a
/// record carries stored values.
public struct WALError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The bytes are not a well-formed record (length, checksum, operation, UTF-8).
        public static let malformed = Code("malformed")
        /// The format version is not one this build reads (written by a newer Coffer).
        public static let unsupportedVersion = Code("unsupported version")
        /// The log stored in this backend is inconsistent (a record under the wrong index).
        public static let corrupt = Code("corrupt")
    }

    public var code: Code
    /// Says what failed; never contains record contents.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "WAL \(code): \(message)" }
}
