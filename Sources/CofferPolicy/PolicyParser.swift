import CofferHCL

/// Reads ACL policy text (HCL, or JSON of the same shape, or either base64-encoded).
///
/// The grammar is Vault's ([VS] `vault/policy.go`): the top level holds only `name`
/// (ignored: the API path names the policy) and `path` blocks; a path block holds
/// `capabilities`, the legacy `policy`, `allowed_parameters`, `denied_parameters`,
/// `required_parameters`, `min_wrapping_ttl`, `max_wrapping_ttl`, and the accepted but
/// ignored `mfa_methods`, `control_group` and `comment`. Anything else is rejected with
/// a ``PolicyError`` naming the line.
///
/// Identity templates in paths (`{{identity.entity.id}}`) are parsed and kept literally
/// in ``PathRule/pattern``; see ``PathRule/isTemplated`` for how the ACL treats them.
public enum PolicyParser {
    /// Nesting limit for policy documents, which arrive over the API.
    static let maxDepth = 32

    static let topLevelKeys: Set<String> = ["name", "path"]

    /// Parses `text` as the policy `name`.
    ///
    /// If the whole text is valid standard base64 (padding required, line breaks
    /// ignored) of UTF-8 text, the decoded text is parsed and becomes ``Policy/raw``, as
    /// Vault's `sys/policies/acl` handler does. Otherwise `raw` is `text` unchanged.
    public static func parse(name: String, text: String) throws(PolicyError) -> Policy {
        guard !text.isEmpty else {
            throw PolicyError(code: .empty, line: 0, message: "'policy' parameter not supplied or empty")
        }
        let raw = Base64Text.decodeText(text) ?? text
        let document: HCLObject
        do {
            document = try HCL.parseAuto(raw, maxDepth: maxDepth)
        } catch {
            throw PolicyError(code: .syntax, line: error.line, message: "failed to parse policy: \(error)")
        }
        if let unknown = document.firstUnknownEntry(allowed: topLevelKeys) {
            throw PolicyError.parse(.invalidKey, line: unknown.line, path: nil, "invalid key \"\(unknown.key)\"")
        }
        let blocks: [HCLBlock]
        do {
            blocks = try document.blocks(named: "path")
        } catch {
            throw PolicyError(code: .syntax, line: error.line, message: "failed to parse policy: \(error)")
        }
        var rules: [PathRule] = []
        rules.reserveCapacity(blocks.count)
        for block in blocks {
            rules.append(try PathBlockReader.read(pattern: block.label ?? "", body: block.body, line: block.line))
        }
        return Policy(name: name, raw: raw, paths: rules)
    }

    /// A policy name as Vault stores it: surrounding whitespace trimmed, lower-cased.
    public static func normalizeName(_ name: String) -> String {
        var slice = Substring(name)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice.lowercased()
    }
}
