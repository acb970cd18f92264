import CofferJSON
import CofferLogical

/// Turning the pieces of an HTTP request into logical-request inputs. Every failure is a
/// 400 ``LogicalError`` with a message that never repeats the input (it may be a secret).
enum RequestParsing {
    /// Percent-decodes `text`; with `plusAsSpace` (query strings) `+` means a space.
    /// Fails on bad escapes and on bytes that are not UTF-8.
    static func percentDecode(_ text: Substring, plusAsSpace: Bool = false) throws -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                let h1 = utf8.index(after: i)
                guard h1 != utf8.endIndex, utf8.index(after: h1) != utf8.endIndex,
                    let hi = hexValue(utf8[h1]), let lo = hexValue(utf8[utf8.index(after: h1)])
                else { throw LogicalError.invalidRequest("malformed percent-encoding in the request URL") }
                out.append(hi << 4 | lo)
                i = utf8.index(h1, offsetBy: 2)
                continue
            }
            out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            i = utf8.index(after: i)
        }
        guard let decoded = String(validating: out, as: UTF8.self) else {
            throw LogicalError.invalidRequest("the request URL is not valid UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// `a=1&b=x` → members; a repeated name keeps its last value, as Go's `Get` reads the first
    /// but Vault merges into data by name; both appear only in malformed requests.
    static func query(_ query: String?) throws -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try percentDecode(parts[0], plusAsSpace: true)
            let value = parts.count > 1 ? try percentDecode(parts[1], plusAsSpace: true) : ""
            out[name] = value
        }
        return out
    }

    /// Go's `strconv.ParseBool`, which Vault uses for `?list=` and health flags.
    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: return nil
        }
    }

    /// The request body as logical data. Empty → no data. A form body is read as a form
    /// only when declared so and not starting like JSON (Vault's rule).
    static func body(_ bytes: [UInt8], contentType: String?) throws -> [String: JSONValue] {
        let first = bytes.first { !($0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09) }
        guard let first else { return [:] }
        if let contentType, contentType.lowercased().hasPrefix("application/x-www-form-urlencoded"),
            first != UInt8(ascii: "{"), first != UInt8(ascii: "[")
        {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw LogicalError.invalidRequest("failed to parse form input: the body is not valid UTF-8")
            }
            return try query(text).mapValues { .string($0) }
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw LogicalError.invalidRequest("failed to parse JSON input: \(error)")
        }
        switch value {
        case .object(let members): return members
        case .null: return [:]
        default: throw LogicalError.invalidRequest("failed to parse JSON input: the body must be a JSON object")
        }
    }
}
