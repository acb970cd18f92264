/// A failure inside an auth method that the client must not see in detail: a stored
/// record this version cannot read, password-hash parameters out of bounds, or the
/// hashing primitive failing.
///
/// Records fail closed: a damaged or newer record is never half-understood. Core logs
/// this error and the client sees a generic 500. The description names the storage key
/// and what was wrong, never a stored value, a password, a secret ID or a hash.
public struct AuthMethodError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The record is not the shape its format promises.
        public static let corrupt = Code("corrupt record")
        /// The record's `format` (or a password record's `version`) is newer than this code.
        public static let unsupportedFormat = Code("unsupported record format")
        /// Password-hash parameters outside the accepted bounds.
        public static let invalidHashParameters = Code("invalid password hash parameters")
        /// The key-derivation primitive reported an error.
        public static let hashFailure = Code("password hashing failed")
    }

    public var code: Code
    /// The storage key (relative to the mount) of the record, or "" when none is involved.
    public var key: String
    public var detail: String

    public init(_ code: Code, key: String = "", detail: String) {
        self.code = code
        self.key = key
        self.detail = detail
    }

    public var description: String {
        key.isEmpty ? "auth: \(code): \(detail)" : "auth: \(code) at \(key): \(detail)"
    }
}
