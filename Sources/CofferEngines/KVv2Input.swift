import CofferJSON
import CofferLogical

/// Reads request fields the way Vault's field types accept them (query parameters arrive
/// as strings, so numbers and booleans are also taken in string form). Errors are 400s
/// that name the field, never its value.
enum KVv2Input {
    /// Vault's custom metadata bounds.
    static let maxCustomMetadataKeys = 64
    static let maxCustomMetadataKeyBytes = 128
    static let maxCustomMetadataValueBytes = 512

    /// An integer: a JSON integer, a float without fraction, or a decimal string (the
    /// empty string is 0, as Go's weak decoding has it, so `?version=` reads the latest).
    static func int(_ value: JSONValue, field: String) throws(LogicalError) -> Int64 {
        switch value {
        case .string(let text):
            let trimmed = text.trimmingSpaces
            if trimmed.isEmpty { return 0 }
            if let number = Int64(trimmed) { return number }
        default:
            if let number = value.intValue { return number }
        }
        throw LogicalError.invalidRequest("invalid value for \"\(field)\": expected an integer")
    }

    /// A non-negative integer field, nil when absent.
    static func count(_ value: JSONValue?, field: String) throws(LogicalError) -> Int64? {
        guard let value else { return nil }
        let number = try int(value, field: field)
        guard number >= 0 else { throw LogicalError.invalidRequest("\(field) cannot be negative") }
        return number
    }

    /// A boolean: JSON `true`/`false`, a number (non-zero is true) or one of Go's
    /// `strconv.ParseBool` spellings.
    static func bool(_ value: JSONValue, field: String) throws(LogicalError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .string(let text):
            switch text.trimmingSpaces {
            case "1", "t", "T", "true", "TRUE", "True": return true
            case "0", "f", "F", "false", "FALSE", "False": return false
            default: break
            }
        default: break
        }
        throw LogicalError.invalidRequest("invalid value for \"\(field)\": expected a boolean")
    }

    /// A duration in seconds (`"1h30m"`, `"90s"`, `3600`), see `VaultDuration`.
    static func duration(_ value: JSONValue, field: String) throws(LogicalError) -> Int64 {
        do {
            return try VaultDuration.seconds(value)
        } catch where error.code == .negative {
            throw LogicalError.invalidRequest("\(field) cannot be negative")
        } catch {
            throw LogicalError.invalidRequest(
                "invalid value for \"\(field)\": expected a duration such as \"1h30m\" or a number of seconds")
        }
    }

    /// Version numbers as Vault's comma-int-slice type takes them: a list of numbers or
    /// numeric strings, one number, or a comma-separated string. At least one is required.
    static func versions(_ value: JSONValue?) throws(LogicalError) -> [Int64] {
        let invalid = LogicalError.invalidRequest("invalid value for \"versions\": expected a list of version numbers")
        var numbers: [Int64] = []
        func add(_ element: JSONValue) throws(LogicalError) {
            switch element {
            case .string(let text):
                for part in text.split(separator: ",", omittingEmptySubsequences: true) {
                    guard let number = Int64(String(part).trimmingSpaces) else { throw invalid }
                    numbers.append(number)
                }
            default:
                guard let number = element.intValue else { throw invalid }
                numbers.append(number)
            }
        }
        switch value {
        case nil, .null?: break
        case .array(let elements)?:
            for element in elements {
                if case .array = element { throw invalid }
                try add(element)
            }
        case let element?:
            try add(element)
        }
        guard !numbers.isEmpty else { throw LogicalError.invalidRequest("no version number provided") }
        guard numbers.allSatisfy({ $0 >= 0 }) else { throw LogicalError.invalidRequest("version numbers cannot be negative") }
        return numbers
    }

    /// Custom metadata as Vault's key-value-pairs type takes it: an object whose values
    /// are strings (numbers and booleans are converted), or a list of `key=value` strings.
    /// `null` clears it. Validated against Vault's bounds.
    static func customMetadata(_ value: JSONValue) throws(LogicalError) -> [String: String] {
        let invalid = LogicalError.invalidRequest(
            "invalid value for \"custom_metadata\": expected an object of string values")
        var result: [String: String] = [:]
        switch value {
        case .null:
            break
        case .object(let members):
            for (name, member) in members {
                switch member {
                case .string(let text): result[name] = text
                case .int(let number): result[name] = String(number)
                case .double: result[name] = JSONWriter.string(member)
                case .bool(let flag): result[name] = flag ? "1" : "0"
                case .null: result[name] = ""
                case .array, .object: throw invalid
                }
            }
        case .array(let elements):
            for element in elements {
                guard case .string(let pair) = element,
                      let equals = pair.firstIndex(of: "="), equals != pair.startIndex
                else { throw LogicalError.invalidRequest("invalid value for \"custom_metadata\": expected key=value pairs") }
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
        default:
            throw invalid
        }
        try validateCustomMetadata(result)
        return result
    }

    /// Vault's bounds: at most 64 keys, keys of 1...128 bytes, values of at most 512
    /// bytes, all printable. Every violation is reported (sorted by key), in Go's
    /// multierror layout that clients match on.
    static func validateCustomMetadata(_ metadata: [String: String]) throws(LogicalError) {
        let prefix = "custom_metadata validation failed"
        var problems: [String] = []
        if metadata.count > maxCustomMetadataKeys {
            problems.append("\(prefix): payload must contain at most \(maxCustomMetadataKeys) keys, provided \(metadata.count)")
        } else {
            for name in metadata.keys.sorted() {
                let value = metadata[name] ?? ""
                let quoted = goQuoted(name)
                let keyBytes = name.utf8.count
                if keyBytes == 0 || keyBytes > maxCustomMetadataKeyBytes {
                    problems.append(
                        "\(prefix): length of key \(quoted) is \(keyBytes) but must be 0 < len(key) <= \(maxCustomMetadataKeyBytes)")
                }
                let valueBytes = value.utf8.count
                if valueBytes > maxCustomMetadataValueBytes {
                    problems.append(
                        "\(prefix): length of value for key \(quoted) is \(valueBytes) but must be <= \(maxCustomMetadataValueBytes)")
                }
                if !isPrintable(name) {
                    problems.append("\(prefix): key \(quoted) contains unprintable characters")
                }
                if !isPrintable(value) {
                    problems.append("\(prefix): value for key \(quoted) contains unprintable characters")
                }
            }
        }
        guard !problems.isEmpty else { return }
        let header = problems.count == 1 ? "1 error occurred:" : "\(problems.count) errors occurred:"
        throw LogicalError.invalidRequest(header + "\n" + problems.map { "\t* \($0)\n" }.joined() + "\n")
    }

    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrintable(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            if scalar == " " { return true }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark,
                 .decimalNumber, .letterNumber, .otherNumber,
                 .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation,
                 .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
                return true
            default:
                return false
            }
        }
    }

    /// A key quoted like Go's `%q`, so unprintable characters show as escapes.
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isPrintable(String(scalar)) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x80 {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension String {
    /// Without leading and trailing ASCII spaces and tabs.
    fileprivate var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
