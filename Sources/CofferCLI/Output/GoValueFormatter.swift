import CofferJSON

/// Prints JSON values in table cells and `-field` output the way `vault` does, which is Go's
/// `%v` over the decoded JSON:
///
/// | JSON | printed |
/// |---|---|
/// | `"text"` | `text` |
/// | `3`, `2.5` | `3`, `2.5` (as the server wrote them) |
/// | `true` | `true` |
/// | `null` | `<nil>` |
/// | `["a", 1]` | `[a 1]` |
/// | `{"b": 1, "a": {"c": "d"}}` | `map[a:map[c:d] b:1]` (keys sorted) |
///
/// Nested values keep this compact Go form rather than JSON: it is what `vault` users and
/// scripts parsing its table output expect. Use `-format=json` for structure.
enum GoValueFormatter {
    static func format(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double: return JSONWriter.string(value)
        case .string(let text): return text
        case .array(let elements): return "[" + elements.map(format).joined(separator: " ") + "]"
        case .object(let members):
            let pairs = members.keys.sorted().map { key in "\(key):\(format(members[key]!))" }
            return "map[" + pairs.joined(separator: " ") + "]"
        }
    }

    /// A table cell for `key`: durations in seconds under duration-like keys print as
    /// `768h`, `1m30s`; everything else as ``format(_:)``.
    static func cell(key: String, value: JSONValue) -> String {
        if looksLikeDuration(key), let seconds = integerSeconds(value) {
            return humanDuration(seconds: seconds)
        }
        return format(value)
    }

    /// `vault`'s rule for which keys hold durations in seconds.
    static func looksLikeDuration(_ key: String) -> Bool {
        key == "period" || key.hasSuffix("_period") || key == "ttl" || key.hasSuffix("_ttl") || key == "duration"
            || key.hasSuffix("_duration") || key == "lease_max" || key == "ttl_max"
    }

    /// Go's duration text without zero tails: `768h`, `1h1m`, `2h1s`, `1m30s`, `0s`.
    static func humanDuration(seconds: Int64) -> String {
        var text = VaultDuration.goString(seconds: seconds)
        if text == "0s" { return text }
        if text.hasSuffix("m0s") { text.removeLast(2) }
        if let range = text.firstRange(of: "h0m"), range.lowerBound > text.startIndex {
            text.replaceSubrange(range, with: "h")
        }
        return text
    }

    /// Go's `%q` of a string slice: `["default" "root"]`.
    static func quotedList(_ strings: [String]) -> String {
        "[" + strings.map(quote).joined(separator: " ") + "]"
    }

    /// Go's `strconv.Quote` for the characters that occur in practice.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func integerSeconds(_ value: JSONValue) -> Int64? {
        if case .int(let number) = value { return number }
        return nil
    }
}
