/// One parsed ACL policy: its name, its text exactly as stored, and its path rules.
///
/// Build it with ``PolicyParser/parse(name:text:)``; compile one or more into an ``ACL``
/// to evaluate requests.
public struct Policy: Sendable, Equatable {
    /// The policy's name, already normalised by the caller (``PolicyParser/normalizeName(_:)``).
    public var name: String
    /// The policy text exactly as written (after base64 decoding, if it came encoded):
    /// the API returns it byte for byte.
    public var raw: String
    /// The `path` blocks in source order. Blocks repeating a pattern are kept; the ACL
    /// merges them as it merges rules from different policies.
    public var paths: [PathRule]

    public init(name: String, raw: String, paths: [PathRule]) {
        self.name = name
        self.raw = raw
        self.paths = paths
    }
}

/// One `path "<pattern>" { ... }` block.
///
/// The pattern forms, as Vault reads them:
/// - `secret/foo`: exact;
/// - `secret/foo*`: prefix (`*` only at the very end);
/// - `secret/+/config`: `+` matches exactly one path segment; may be combined with a
///   trailing `*` (`secret/+/conf*`), but never as `+*`.
public struct PathRule: Sendable, Equatable {
    /// The pattern as written, minus leading slashes (`secret/+/conf*`).
    public var pattern: String
    /// The pattern without its trailing `*`: the key the ACL indexes.
    public var path: String
    /// The pattern ended in `*`.
    public var isPrefix: Bool
    /// Some segment of the pattern is exactly `+`.
    public var hasSegmentWildcard: Bool
    /// The pattern holds an identity template (`{{identity.entity.id}}`). With no identity
    /// system, such rules can never apply (Vault skips them for tokens without an entity)
    /// and the ``ACL`` leaves them out.
    public var isTemplated: Bool
    public var permissions: PathPermissions
    /// 1-based line of the block's label in the source (0 if built in code).
    public var line: Int

    /// Builds a rule from a pattern as written (`"/secret/*"` is `secret/*`).
    public init(pattern: String, permissions: PathPermissions, line: Int = 0) {
        let pattern = ACL.stripLeadingSlashes(pattern)
        self.pattern = pattern
        // Scalar-wise, so that a combining mark after `*` cannot hide or fake the glob.
        self.isPrefix = pattern.unicodeScalars.last == "*"
        self.path = isPrefix ? String(String.UnicodeScalarView(pattern.unicodeScalars.dropLast())) : pattern
        self.hasSegmentWildcard = SegmentPattern.hasWildcardSegment(path[...])
        self.isTemplated = pattern.contains("{{") && pattern.contains("}}")
        self.permissions = permissions
        self.line = line
    }
}
