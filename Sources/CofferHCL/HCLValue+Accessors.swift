public import CofferJSON

extension HCLValue {
    /// A string, or an integer as its decimal text (HCL v1 lets a number fill a string
    /// field). Nil for anything else.
    public var stringValue: String? {
        switch self {
        case .string(let text): return text
        case .int(let number): return String(number)
        default: return nil
        }
    }

    /// An integer: `.int`, a `.double` with no fraction, or a string holding a decimal or
    /// `0x` hexadecimal integer (as HCL v1 accepts `"8200"` for an int field).
    public var intValue: Int64? {
        switch self {
        case .int(let number):
            return number
        case .double(let number):
            guard number.rounded(.towardZero) == number, number >= -9.2e18, number <= 9.2e18 else { return nil }
            return Int64(number)
        case .string(let text):
            var digits = Substring(text)
            let negative = digits.first == "-"
            if negative || digits.first == "+" { digits = digits.dropFirst() }
            var radix = 10
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
                radix = 16
                digits = digits.dropFirst(2)
            }
            guard !digits.isEmpty, let magnitude = Int64(digits, radix: radix) else { return nil }
            return negative ? -magnitude : magnitude
        default:
            return nil
        }
    }

    /// A number as a double (`.int` or `.double`), or a string that reads as one.
    public var doubleValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text): return Double(text).flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    /// A bool, or a string Go's `strconv.ParseBool` accepts (`"true"`, `"1"`, `"t"`,
    /// `"FALSE"`…), as HCL v1 decodes bool fields. Numbers are not bools here; see
    /// ``weakBoolValue``.
    public var boolValue: Bool? {
        switch self {
        case .bool(let flag):
            return flag
        case .string(let text):
            switch text {
            case "1", "t", "T", "true", "TRUE", "True": return true
            case "0", "f", "F", "false", "FALSE", "False": return false
            default: return nil
            }
        default:
            return nil
        }
    }

    /// A bool by Vault's lenient rules (mapstructure's weak decoding, used for settings
    /// such as `tls_disable`): anything ``boolValue`` accepts, the empty string (false),
    /// and numbers (non-zero is true).
    public var weakBoolValue: Bool? {
        switch self {
        case .int(let number): return number != 0
        case .double(let number): return number != 0
        case .string(""): return false
        default: return boolValue
        }
    }

    public var listValue: [HCLValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    public var objectValue: HCLObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The objects of "an object or a list of objects": HCL blocks and JSON objects give
    /// one, JSON arrays of objects (`"listener": [{"tcp": {...}}]`) give several. Nil if
    /// the value is neither.
    public var objectList: [HCLObject]? {
        switch self {
        case .object(let object):
            return [object]
        case .list(let items):
            var objects: [HCLObject] = []
            objects.reserveCapacity(items.count)
            for item in items {
                guard case .object(let object) = item else { return nil }
                objects.append(object)
            }
            return objects
        default:
            return nil
        }
    }

    /// A list of strings (each element read with ``stringValue``), or a single string as
    /// a one-element list, as HCL v1 decodes `[]string` fields. Nil otherwise.
    public var stringList: [String]? {
        switch self {
        case .list(let items):
            var strings: [String] = []
            strings.reserveCapacity(items.count)
            for item in items {
                guard let text = item.stringValue else { return nil }
                strings.append(text)
            }
            return strings
        case .string(let text):
            return [text]
        default:
            return nil
        }
    }

    /// What kind of value this is, for error messages ("expected a string, found a list").
    public var kindDescription: String {
        switch self {
        case .string: return "a string"
        case .int, .double: return "a number"
        case .bool: return "a bool"
        case .list: return "a list"
        case .object: return "an object"
        case .null: return "null"
        }
    }

    /// The value as JSON. Objects become JSON objects; a key that occurs more than once
    /// (repeated blocks) becomes an array of its values in source order.
    public var jsonValue: JSONValue {
        switch self {
        case .string(let text): return .string(text)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .list(let items): return .array(items.map(\.jsonValue))
        case .object(let object): return object.jsonValue
        }
    }
}
