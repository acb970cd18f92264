import CofferLogical
/// Names of users and roles, checked the way Vault's path patterns check them
/// (`framework.GenericNameRegex` and its `@` variant): word characters at both ends,
/// word characters, `-` and `.` (and `@` where allowed) inside. Vault's path routing
/// rejects other names before a handler runs, so a bad name answers like an unknown path.
enum AuthNames {
    /// Longer names are refused so storage keys stay bounded.
    static let maxLength = 512

    static func isValid(_ name: String, allowAt: Bool) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        guard isWord(bytes[0]), isWord(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { isWord($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || (allowAt && $0 == UInt8(ascii: "@")) }
    }

    /// Go's `\w`: ASCII letters, digits and underscore.
    private static func isWord(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }
}

/// Policy-name lists as Vault's `policyutil` treats them.
enum PolicyNames {
    /// Trimmed, lower-cased, empty entries dropped, deduplicated and sorted: the form a
    /// role or user stores (`policyutil.ParsePolicies`).
    static func parse(_ names: [String]) -> [String] {
        Array(Set(names.map { Whitespace.trim($0).lowercased() }.filter { !$0.isEmpty })).sorted()
    }

    /// What a login token gets: `root` stands alone, otherwise `default` is added unless
    /// `noDefault` (`policyutil.SanitizePolicies`).
    static func forToken(_ names: [String], noDefault: Bool) -> [String] {
        let parsed = parse(names)
        if parsed.contains("root") { return ["root"] }
        if noDefault || parsed.contains("default") { return parsed }
        return (parsed + ["default"]).sorted()
    }
}
