import CofferJSON
import CofferLogical
import CofferPolicy

/// Rows about which rule governs a path.
enum MatchingCases {
    static let all: [ACLCase] = exactAndPrefix + segmentWildcards + priority + merging + listing + bytewise

    static let exactAndPrefix: [ACLCase] = [
        row("exact beats glob", [rule("secret/foo", "read"), rule("secret/*", "deny")], .read, "secret/foo", .allow),
        row("exact beats glob: the glob still governs other paths",
            [rule("secret/foo", "read"), rule("secret/*", "deny")], .read, "secret/bar", .deny),
        row("exact rule does not cover children", [rule("secret/foo", "read")], .read, "secret/foo/bar", .deny),
        row("exact rule needs the exact path", [rule("secret/foo", "read")], .read, "secret/fo", .deny),
        row("longest prefix wins (narrower deny)", [rule("secret/*", "read"), rule("secret/team/*", "deny")],
            .read, "secret/team/x", .deny),
        row("longest prefix wins (broader rule elsewhere)", [rule("secret/*", "read"), rule("secret/team/*", "deny")],
            .read, "secret/other", .allow),
        row("longest prefix wins (narrower grant)", [rule("secret/*", "deny"), rule("secret/public/*", "read")],
            .read, "secret/public/doc", .allow),
        row("prefix glob matches inside a segment", [rule("secret/fo*", "read")], .read, "secret/foo/bar", .allow),
        row("prefix glob needs its whole prefix", [rule("secret/fo*", "read")], .read, "secret/f", .deny),
        row("bare * matches every path", [rule("*", "read")], .read, "anything/at/all", .allow),
        row("leading slash in the pattern is stripped", [rule("/secret/foo", "read")], .read, "secret/foo", .allow),
        row("leading slash in the request is stripped", [rule("secret/foo", "read")], .read, "//secret/foo", .allow),
        row("default deny: no rule matches", [rule("secret/*", "read")], .read, "other/x", .deny),
        row("default deny: a policy without rules", ["name = \"empty\""], .read, "secret/x", .deny),
        row("default deny: no policies at all", [], .read, "secret/x", .deny),
        row("matching is byte-exact (no Unicode normalisation)", [rule("secret/caf\u{E9}", "read")],
            .read, "secret/cafe\u{301}", .deny),
    ]

    static let segmentWildcards: [ACLCase] = [
        row("+ matches exactly one segment", [rule("secret/+/config", "read")], .read, "secret/app/config", .allow),
        row("+ does not match two segments", [rule("secret/+/config", "read")], .read, "secret/a/b/config", .deny),
        row("+ does not match zero segments", [rule("secret/+/config", "read")], .read, "secret/config", .deny),
        row("+ pattern without * needs the same segment count", [rule("secret/+/config", "read")],
            .read, "secret/app/config/extra", .deny),
        row("+ with a trailing * is a prefix on the last segment", [rule("secret/+/conf*", "read")],
            .read, "secret/app/config/x", .allow),
        row("+ with a trailing * still checks the literal part", [rule("secret/+/conf*", "read")],
            .read, "secret/app/other", .deny),
        row("several + segments", [rule("+/+/leaf", "update")], .update, "kv/team/leaf", .allow),
        row("a + inside a segment is literal", [rule("mail/a+b", "read")], .read, "mail/a+b", .allow),
        row("a + inside a segment is literal (no wildcard)", [rule("mail/a+b", "read")], .read, "mail/axb", .deny),
    ]

    static let priority: [ACLCase] = [
        // Tie-breaker 1: the first wildcard (+ or *) later in the pattern wins.
        row("priority 1: later first wildcard wins (grant)", [rule("secret/+/foo", "deny"), rule("secret/a/+", "read")],
            .read, "secret/a/foo", .allow),
        row("priority 1: later first wildcard wins (deny)", [rule("secret/+/foo", "read"), rule("secret/a/+", "deny")],
            .read, "secret/a/foo", .deny),
        row("priority 1: a prefix whose * comes later beats an earlier +",
            [rule("secret/a*", "read"), rule("secret/+/foo", "deny")], .read, "secret/a/foo", .allow),
        row("priority 1: an earlier * loses to a later +",
            [rule("secret/*", "read"), rule("secret/a/+", "deny")], .read, "secret/a/foo", .deny),
        // Tie-breaker 2: not ending in * beats ending in *.
        row("priority 2: no trailing * beats trailing *", [rule("secret/+/foo", "read"), rule("secret/+/foo*", "deny")],
            .read, "secret/a/foo", .allow),
        row("priority 2: the * pattern governs what only it matches",
            [rule("secret/+/foo", "read"), rule("secret/+/foo*", "deny")], .read, "secret/a/foobar", .deny),
        // Tie-breaker 3: fewer + segments wins (Vault's documented example).
        row("priority 3: fewer + segments win", [rule("secret/*", "read"), rule("secret/+/+/foo/*", "deny")],
            .read, "secret/a/b/foo/x", .allow),
        row("priority 3: fewer + segments win (other order)", [rule("secret/+/+/foo/*", "read"), rule("secret/*", "deny")],
            .read, "secret/a/b/foo/x", .deny),
        // Tie-breaker 4: longer wins.
        row("priority 4: longer pattern wins", [rule("secret/+/ab*", "deny"), rule("secret/+/abc*", "read")],
            .read, "secret/x/abcd", .allow),
        row("priority 4: the shorter one governs what only it matches",
            [rule("secret/+/ab*", "deny"), rule("secret/+/abc*", "read")], .read, "secret/x/abz", .deny),
        // Tie-breaker 5: lexicographically larger wins ("a/+/b/+" > "a/+/+/c").
        row("priority 5: lexicographically larger wins (grant)", [rule("a/+/b/+", "read"), rule("a/+/+/c", "deny")],
            .read, "a/x/b/c", .allow),
        row("priority 5: lexicographically larger wins (deny)", [rule("a/+/b/+", "deny"), rule("a/+/+/c", "read")],
            .read, "a/x/b/c", .deny),
    ]

    static let merging: [ACLCase] = [
        row("deny wins across policies", [rule("secret/*", "read", "list"), rule("secret/*", "deny")],
            .read, "secret/x", .deny),
        row("deny wins across policies (deny first)", [rule("secret/*", "deny"), rule("secret/*", "read", "list")],
            .read, "secret/x", .deny),
        row("deny wins within one policy (repeated block)",
            [rule("secret/x", "read") + "\n" + rule("secret/x", "deny")], .read, "secret/x", .deny),
        row("union of the same pattern across policies (first)", [rule("secret/*", "read"), rule("secret/*", "update")],
            .read, "secret/x", .allow),
        row("union of the same pattern across policies (second)", [rule("secret/*", "read"), rule("secret/*", "update")],
            .update, "secret/x", .allow),
        row("union of the same + pattern", [rule("kv/+/x", "read"), rule("kv/+/x", "delete")], .delete, "kv/a/x", .allow),
        row("different prefixes are not unioned", [rule("secret/*", "read"), rule("secret/foo/*", "list")],
            .read, "secret/foo/x", .deny),
        row("different + patterns are not unioned", [rule("secret/+/x", "read"), rule("secret/a/+", "update")],
            .read, "secret/a/x", .deny),
        row("exact and prefix of the same text are different patterns",
            [rule("secret/foo", "read"), rule("secret/foo*", "update")], .update, "secret/foo", .deny),
    ]

    static let listing: [ACLCase] = [
        row("LIST p/ uses an exact rule on p", [rule("secret/foo", "list")], .list, "secret/foo/", .allow),
        row("only LIST strips the trailing slash for exact rules", [rule("secret/foo", "read")], .read, "secret/foo/", .deny),
        row("LIST p/ matches + patterns written for p", [rule("secret/+", "list")], .list, "secret/foo/", .allow),
        row("LIST p/ matches prefix rules on p/", [rule("secret/foo/*", "list")], .list, "secret/foo/", .allow),
        row("LIST p/ cannot bypass a deny on p/*", [rule("secret/*", "list"), rule("secret/private/*", "deny")],
            .list, "secret/private/", .deny),
        row("LIST p/ cannot bypass a deny on p/* through a + rule", [rule("secret/+", "list"), rule("secret/private/*", "deny")],
            .list, "secret/private/", .deny),
        row("LIST p/: a more specific list grant beats a broader deny", [rule("secret/*", "deny"), rule("secret/+", "list")],
            .list, "secret/foo/", .allow),
        row("LIST p/: list granted for p applies though p/* grants only read",
            [rule("secret/foo*", "list"), rule("secret/foo/*", "read")], .list, "secret/foo/", .allow),
        row("LIST p/ needs the list capability", [rule("secret/*", "read")], .list, "secret/foo/", .deny),
        row("LIST of the mount root", [rule("secret/*", "list")], .list, "secret/", .allow),
    ]
}

extension MatchingCases {
    /// Paths are bytes: a combining mark after `/` must not merge two segments.
    static let bytewise: [ACLCase] = [
        row("segments split on the / byte even before a combining mark",
            [rule("secret/*", "read"), rule("secret/+/admin", "deny")], .read, "secret/\u{301}x/admin", .deny),
        row("a / before a combining mark still separates a + segment",
            [rule("secret/+", "read")], .read, "secret/\u{301}x", .allow),
    ]
}
