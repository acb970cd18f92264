/// Why a policy's text was rejected.
///
/// ``message`` is what the client reads (the HTTP layer answers 400 with it): it starts
/// with `failed to parse policy:` and names the line and the problem, e.g.
/// `failed to parse policy: line 3: path "secret/*": invalid capability "rread"`. Policy
/// text is configuration, not secret material, so messages may quote path patterns,
/// keys and capability names; they never quote parameter values.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The `policy` text is empty.
        public static let empty = Code(rawValue: "empty")
        /// The text is not valid HCL or JSON, or a value has the wrong shape.
        public static let syntax = Code(rawValue: "syntax")
        /// A key the policy language does not know.
        public static let invalidKey = Code(rawValue: "invalid key")
        /// A path pattern with misplaced wildcards.
        public static let invalidPath = Code(rawValue: "invalid path")
        /// A capability name that does not exist.
        public static let invalidCapability = Code(rawValue: "invalid capability")
        /// A legacy `policy = "..."` value other than deny, read, write or sudo.
        public static let invalidPolicy = Code(rawValue: "invalid policy")
        /// Malformed `allowed_parameters`, `denied_parameters` or `required_parameters`.
        public static let invalidParameters = Code(rawValue: "invalid parameters")
        /// A malformed, negative or inconsistent `min_wrapping_ttl`/`max_wrapping_ttl`.
        public static let invalidWrappingTTL = Code(rawValue: "invalid wrapping ttl")
    }

    public var code: Code
    /// 1-based line of the offending key or block, or 0 when unknown.
    public var line: Int
    /// The full client-facing message.
    public var message: String

    public init(code: Code, line: Int, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    /// A parse failure in the `path` block `pattern` (nil for top-level problems), shaped
    /// `failed to parse policy: line N: path "pattern": detail`.
    static func parse(_ code: Code, line: Int, path pattern: String?, _ detail: String) -> PolicyError {
        var message = "failed to parse policy: "
        if line > 0 { message += "line \(line): " }
        if let pattern { message += "path \"\(pattern)\": " }
        message += detail
        return PolicyError(code: code, line: line, message: message)
    }

    public var description: String { message }
}
