/// Bytes that one of Core's JSON record codecs (``ResponseCodec``,
/// ``ForwardedRequestCodec``, ``AuthContextCodec``) cannot read: not JSON, the wrong
/// shape, an unknown version, or over the size limit. Decoding fails closed with this
/// error and never traps. The message names the member that was wrong, never a value.
public struct WireFormatError: Error, Sendable, CustomStringConvertible {
    /// What was wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not JSON, or a member is missing or of the wrong type.
        public static let malformed = Code("malformed")
        /// A `version` this code does not understand.
        public static let unsupportedVersion = Code("unsupported version")
        /// More bytes than the codec accepts.
        public static let tooLarge = Code("too large")
    }

    /// What kind of failure; decides nothing but logging (the link refuses either way).
    public var code: Code
    /// Names the record and member at fault; never quotes a value.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "wire format \(code): \(message)" }

    static func malformed(_ message: String) -> WireFormatError { WireFormatError(.malformed, message) }
}
