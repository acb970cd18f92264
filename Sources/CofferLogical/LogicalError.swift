public import CofferJSON

/// The one error type of the request path. Its ``Code`` decides the HTTP status, in one
/// place (`CofferHTTP/ErrorStatus.swift`); the messages are what the client reads in
/// `{"errors":[...]}`. Messages never contain secrets, tokens or stored values.
public struct LogicalError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Bad input: 400.
        public static let invalidRequest = Code("invalid request")
        /// Missing, unknown or expired token, or an ACL denial: 403.
        public static let permissionDenied = Code("permission denied")
        /// No mount or no such path: 404.
        public static let notFound = Code("not found")
        /// The path exists but not for this operation: 405.
        public static let unsupportedOperation = Code("unsupported operation")
        /// Replication: the asked-for index state is not present: 412.
        public static let missingRequiredState = Code("missing required state")
        /// Body over the limit: 413.
        public static let requestTooLarge = Code("request too large")
        /// PATCH without merge-patch content type: 415.
        public static let unsupportedMediaType = Code("unsupported media type")
        /// Quota exceeded: 429.
        public static let rateLimited = Code("rate limited")
        /// Anything unexpected: 500. The message stays generic; details go to the log.
        public static let internalError = Code("internal error")
        /// Not initialised: 501 on health; elsewhere the server is sealed.
        public static let notInitialized = Code("not initialized")
        /// The barrier is sealed: 503.
        public static let sealed = Code("sealed")
    }

    public var code: Code
    public var messages: [String]
    /// Data to send next to the errors (`{"errors":[...],"data":{...}}`).
    public var data: [String: JSONValue]?
    public var cause: (any Error)?

    public init(_ code: Code, _ messages: [String], data: [String: JSONValue]? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.messages = messages
        self.data = data
        self.cause = cause
    }

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.init(code, [message], cause: cause)
    }

    public var description: String { "\(code): \(messages.joined(separator: ", "))" }

    public static func invalidRequest(_ message: String) -> LogicalError { LogicalError(.invalidRequest, message) }
    public static let permissionDenied = LogicalError(.permissionDenied, "permission denied")
    /// Vault's answer for a revoked, expired or unknown token.
    public static let invalidToken = LogicalError(.permissionDenied, ["permission denied", "invalid token"])
    public static func unsupportedPath(_ path: String) -> LogicalError {
        LogicalError(.notFound, "no handler for route \"\(path)\". route entry not found.")
    }
    public static let unsupportedOperation = LogicalError(.unsupportedOperation, "unsupported operation")
    public static let sealed = LogicalError(.sealed, "Vault is sealed")
    public static let internalError = LogicalError(.internalError, "internal error")
}
