import CofferJSON

/// The parameter constraints of a rule applied to a request's data (Vault's
/// `AllowOperation`, step 7 of the reference's evaluation order).
enum ParameterCheck {
    /// Parameters whose values Vault lower-cases before storing (policy names): their
    /// values are lower-cased before matching too, so `ROOT` cannot slip past a
    /// `denied_parameters` entry for `root`.
    static let lowerCasedValues: Set<String> = ["policies", "token_policies"]

    /// Nil if `data` satisfies `rule`, else why not (names only, never values).
    static func denial(_ data: [String: JSONValue], _ rule: CompiledRule) -> String? {
        let permissions = rule.permissions
        if !rule.requiredLowercased.isEmpty {
            let present = Set(data.keys.map { $0.lowercased() })
            for (index, name) in rule.requiredLowercased.enumerated() where !present.contains(name) {
                return "required parameter \"\(permissions.requiredParameters[index])\" is missing"
            }
        }
        if data.isEmpty { return nil }

        if !permissions.deniedParameters.isEmpty {
            if rule.deniesEveryParameter { return "all parameters are denied" }
            for (name, value) in data {
                let key = name.lowercased()
                guard let denied = permissions.deniedParameters[key] else { continue }
                if isDenied(normalized(key, value), by: denied) { return "parameter \"\(name)\" has a denied value" }
            }
        }

        let allowed = permissions.allowedParameters
        if allowed.isEmpty || (allowed.count == 1 && rule.allowsAnyParameter) { return nil }
        for (name, value) in data {
            let key = name.lowercased()
            guard let values = allowed[key] else {
                if rule.allowsAnyParameter { continue }
                return "parameter \"\(name)\" is not allowed"
            }
            if !isAllowed(normalized(key, value), by: values) { return "parameter \"\(name)\" has a value that is not allowed" }
        }
        return nil
    }

    /// An empty list allows anything. Otherwise the whole value must match an entry, or
    /// each element must: of a list, or of a comma-separated string (any string may be a
    /// comma-separated list for the backend, so each item is checked on its own).
    static func isAllowed(_ value: JSONValue, by list: [JSONValue]) -> Bool {
        if list.isEmpty || matchesAny(value, list) { return true }
        guard let elements = elements(of: value) else { return false }
        return elements.allSatisfy { matchesAny($0, list) }
    }

    /// An empty list denies anything. Otherwise the whole value or any one element of it
    /// matching an entry denies.
    static func isDenied(_ value: JSONValue, by list: [JSONValue]) -> Bool {
        if list.isEmpty || matchesAny(value, list) { return true }
        guard let elements = elements(of: value) else { return false }
        return elements.contains { matchesAny($0, list) }
    }

    /// The elements of a list, or of a string split on commas (each trimmed; `""` has
    /// none); nil for other values.
    static func elements(of value: JSONValue) -> [JSONValue]? {
        switch value {
        case .array(let items):
            return items
        case .string(let text):
            if text.isEmpty { return [] }
            return text.split(separator: ",", omittingEmptySubsequences: false).map { .string(trimmed($0)) }
        default:
            return nil
        }
    }

    static func matchesAny(_ value: JSONValue, _ list: [JSONValue]) -> Bool {
        list.contains { matches(value, entry: $0) }
    }

    /// One policy entry against one value: strings by glob (`foo-*`, `*-bar`, `*mid*`);
    /// numbers by numeric value; a string entry against a number or bool by its text
    /// (`"3600"` matches 3600, since backends read both alike); `null` only matches `null`.
    static func matches(_ value: JSONValue, entry: JSONValue) -> Bool {
        switch (entry, value) {
        case (.null, _), (_, .null):
            return entry == value
        case (.string(let pattern), .string(let text)):
            return globMatches(pattern, text)
        case (.string(let pattern), _):
            guard let text = scalarText(value) else { return false }
            return globMatches(pattern, text)
        case (_, .string(let text)):
            guard let entryText = scalarText(entry) else { return false }
            return entryText.bytesEqual(text)
        default:
            if let a = entry.doubleValue, let b = value.doubleValue { return a == b }
            return entry == value
        }
    }

    /// Vault's `GlobbedStringsMatch`: a leading and/or trailing `*` in the entry; an
    /// entry shorter than two characters compares exactly. Byte-wise, as in Go.
    static func globMatches(_ pattern: String, _ text: String) -> Bool {
        guard pattern.utf8.count >= 2 else { return pattern.bytesEqual(text) }
        let star = UInt8(ascii: "*")
        let leading = pattern.utf8.first == star
        let trailing = pattern.utf8.last == star
        let inner = Substring(pattern).utf8.dropFirst(leading ? 1 : 0).dropLast(trailing ? 1 : 0)
        let middle = Substring(inner)
        switch (leading, trailing) {
        case (true, true): return text.bytesContain(middle)
        case (true, false): return text.bytesHaveSuffix(middle)
        case (false, true): return text.bytesHavePrefix(middle)
        case (false, false): return pattern.bytesEqual(text)
        }
    }

    private static func normalized(_ key: String, _ value: JSONValue) -> JSONValue {
        guard lowerCasedValues.contains(key) else { return value }
        switch value {
        case .string(let text): return .string(text.lowercased())
        case .array(let items): return .array(items.map { $0.stringValue.map { .string($0.lowercased()) } ?? $0 })
        default: return value
        }
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .int(let number): return String(number)
        case .double(let number):
            if let integer = value.intValue { return String(integer) }
            return number.isFinite ? String(number) : nil
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    private static func trimmed(_ text: Substring) -> String {
        var slice = text
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
