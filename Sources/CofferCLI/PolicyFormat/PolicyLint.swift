import CofferHCL

/// The structural checks `vault policy fmt` makes before formatting: only `name` and
/// `path` at the top level, known keys in each `path` block, known capabilities and legacy
/// `policy` values. The server checks the rest when the policy is written.
///
/// (The full policy parser lives in CofferPolicy, which the CLI does not link.)
enum PolicyLint {
    static let topLevelKeys: Set = ["name", "path"]
    static let pathKeys: Set = [
        "comment", "policy", "capabilities", "allowed_parameters", "denied_parameters", "required_parameters",
        "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods", "control_group", "subscribe_event_types",
    ]
    static let capabilities: Set = [
        "create", "read", "update", "patch", "delete", "list", "sudo", "deny", "subscribe", "recover",
    ]
    static let legacyPolicies: Set = ["deny", "read", "write", "sudo"]

    /// Throws a `.shape` ``HCLError`` at the offending key.
    static func check(_ document: HCLObject) throws(HCLError) {
        if let unknown = document.firstUnknownEntry(allowed: topLevelKeys) {
            throw HCLError(code: .shape, line: unknown.line, column: unknown.column, message: "invalid key \"\(unknown.key)\"")
        }
        for block in try document.blocks(named: "path") {
            let pattern = block.label ?? ""
            if let unknown = block.body.firstUnknownEntry(allowed: pathKeys) {
                throw HCLError(
                    code: .shape, line: unknown.line, column: unknown.column,
                    message: "path \"\(pattern)\": invalid key \"\(unknown.key)\"")
            }
            for entry in block.body.entries(named: "capabilities") {
                guard let values = entry.value.stringList else {
                    throw HCLError(
                        code: .shape, line: entry.line, column: entry.column,
                        message: "path \"\(pattern)\": capabilities must be a list of strings, found \(entry.value.kindDescription)")
                }
                if let invalid = values.first(where: { !capabilities.contains($0) }) {
                    throw HCLError(
                        code: .shape, line: entry.line, column: entry.column,
                        message: "path \"\(pattern)\": invalid capability \"\(invalid)\"")
                }
            }
            for entry in block.body.entries(named: "policy") {
                guard let value = entry.value.stringValue, legacyPolicies.contains(value) else {
                    let shown = entry.value.stringValue.map { "\"\($0)\"" } ?? entry.value.kindDescription
                    throw HCLError(
                        code: .shape, line: entry.line, column: entry.column,
                        message: "path \"\(pattern)\": invalid policy \(shown)")
                }
            }
        }
    }
}
