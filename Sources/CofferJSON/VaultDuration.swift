/// Vault's duration values (`ttl`, `default_lease_ttl`, `X-Vault-Wrap-TTL`…) in whole seconds.
///
/// Accepted forms, as Vault's `parseutil.ParseDurationSecond` accepts them:
/// - an integer number of seconds, as a JSON integer or a numeric string (`3600`, `"3600"`);
/// - a JSON floating-point number of seconds (truncated: `1.9` is 1 second);
/// - a whole number of days with a `d` suffix (`"7d"`);
/// - a Go duration (`time.ParseDuration`): a sequence of decimal numbers, each with an
///   optional fraction and a unit among `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`, e.g.
///   `"768h"`, `"1h30m"`, `"1.5h"`, `"90s"`, `"500ms"`;
/// - the empty string and JSON `null`, which mean 0 (Vault treats an absent TTL as unset).
///
/// Sub-second parts are truncated toward zero (`"500ms"` is 0, `"1500ms"` is 1), as Go's
/// `d / time.Second` does. Negative values are rejected (``ParseError/Code-swift.struct/negative``),
/// so callers can give Vault's "cannot be negative" message; anything else malformed,
/// or larger than Go's ~292-year `time.Duration`, is ``ParseError/Code-swift.struct/invalid``.
public enum VaultDuration {
    /// Why a duration did not parse. The message never contains the input.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The kind of failure; extensible.
        public struct Code: RawRepresentable, Hashable, Sendable {
            public var rawValue: String
            public init(rawValue: String) { self.rawValue = rawValue }
            /// Not a duration at all, or out of range.
            public static let invalid = Code(rawValue: "invalid")
            /// A well-formed but negative duration.
            public static let negative = Code(rawValue: "negative")
        }

        public var code: Code
        public var message: String

        public init(code: Code, message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { message }
    }

    /// Nanoseconds in each Go duration unit.
    private static let units: [(name: String, nanoseconds: UInt64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// The duration `text` in whole seconds, or nil if it is malformed or negative.
    public static func parseSeconds(_ text: String) -> Int64? {
        try? seconds(text)
    }

    /// The duration `value` (integer, float, string or null) in whole seconds, or nil if it
    /// is malformed, negative, or of another JSON type.
    public static func parseSeconds(_ value: JSONValue) -> Int64? {
        try? seconds(value)
    }

    /// The duration `value` in whole seconds; throws for malformed or negative values.
    public static func seconds(_ value: JSONValue) throws(ParseError) -> Int64 {
        switch value {
        case .null:
            return 0
        case .int(let number):
            guard number >= 0 else { throw negativeError }
            return number
        case .double(let number):
            guard number.isFinite, number < 9.2e18 else { throw invalidError }
            guard number > -1 else { throw negativeError }
            return Int64(number)  // truncates toward zero, so -0.5 is 0 as in Go
        case .string(let text):
            return try seconds(text)
        case .bool, .array, .object:
            throw invalidError
        }
    }

    /// The duration `text` in whole seconds; throws for malformed or negative values.
    public static func seconds(_ text: String) throws(ParseError) -> Int64 {
        let trimmed = trimSpaces(text)
        if trimmed.isEmpty { return 0 }
        if let number = Int64(trimmed) {
            guard number >= 0 else { throw negativeError }
            return number
        }
        if trimmed.hasSuffix("d") {
            let daysText = trimmed.dropLast()
            guard let days = Int64(daysText) else { throw invalidError }
            guard days >= 0 else { throw negativeError }
            let (seconds, overflow) = days.multipliedReportingOverflow(by: 86_400)
            guard !overflow else { throw invalidError }
            return seconds
        }
        let (negative, nanoseconds) = try goDurationNanoseconds(trimmed)
        if negative && nanoseconds > 0 { throw negativeError }
        return Int64(nanoseconds / 1_000_000_000)
    }

    /// `seconds` formatted like Go's `time.Duration.String()`: `"768h0m0s"`, `"1m30s"`, `"0s"`.
    public static func goString(seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        var result = seconds < 0 ? "-" : ""
        let magnitude = seconds.magnitude
        let hours = magnitude / 3600
        let minutes = magnitude / 60 % 60
        let secs = magnitude % 60
        if hours > 0 { result += "\(hours)h\(minutes)m" } else if minutes > 0 { result += "\(minutes)m" }
        result += "\(secs)s"
        return result
    }

    private static var invalidError: ParseError {
        ParseError(code: .invalid, message: "invalid duration")
    }

    private static var negativeError: ParseError {
        ParseError(code: .negative, message: "duration cannot be negative")
    }

    private static func trimSpaces(_ text: String) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        var slice = Substring(text)
        while let first = slice.first, isSpace(first) { slice.removeFirst() }
        while let last = slice.last, isSpace(last) { slice.removeLast() }
        return slice
    }

    /// Go's `time.ParseDuration`, returning the sign and the magnitude in nanoseconds.
    private static func goDurationNanoseconds(_ text: Substring) throws(ParseError) -> (negative: Bool, nanoseconds: UInt64) {
        var rest = Substring(text).unicodeScalars[...]
        var negative = false
        if let first = rest.first, first == "-" || first == "+" {
            negative = first == "-"
            rest.removeFirst()
        }
        if rest.count == 1, rest.first == "0" { return (negative, 0) }
        guard !rest.isEmpty else { throw invalidError }
        let limit = UInt64(Int64.max) + (negative ? 1 : 0)
        var total: UInt64 = 0
        while !rest.isEmpty {
            // Integer part.
            var whole: UInt64 = 0
            var wholeDigits = 0
            while let scalar = rest.first, let digit = digitValue(scalar) {
                let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(digit)
                guard !o1, !o2, sum <= limit else { throw invalidError }
                whole = sum
                wholeDigits += 1
                rest.removeFirst()
            }
            // Fraction: kept to as many digits as fit, like Go.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var fractionDigits = 0
            if rest.first == "." {
                rest.removeFirst()
                var overflowed = false
                while let scalar = rest.first, let digit = digitValue(scalar) {
                    fractionDigits += 1
                    rest.removeFirst()
                    if overflowed { continue }
                    if fraction > (UInt64(Int64.max) - 9) / 10 {
                        overflowed = true
                        continue
                    }
                    fraction = fraction * 10 + digit
                    scale *= 10
                }
            }
            guard wholeDigits > 0 || fractionDigits > 0 else { throw invalidError }
            // Unit.
            var unitText = ""
            while let scalar = rest.first, scalar != ".", digitValue(scalar) == nil {
                unitText.unicodeScalars.append(scalar)
                rest.removeFirst()
            }
            guard let unit = units.first(where: { $0.name == unitText })?.nanoseconds else { throw invalidError }
            let (scaled, overflow) = whole.multipliedReportingOverflow(by: unit)
            guard !overflow, scaled <= limit else { throw invalidError }
            var component = scaled
            if fraction > 0 {
                component += UInt64(Double(fraction) * (Double(unit) / scale))
                guard component <= limit else { throw invalidError }
            }
            let (sum, sumOverflow) = total.addingReportingOverflow(component)
            guard !sumOverflow, sum <= limit else { throw invalidError }
            total = sum
        }
        return (negative, total)
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> UInt64? {
        guard scalar.value >= 0x30, scalar.value <= 0x39 else { return nil }
        return UInt64(scalar.value - 0x30)
    }
}
