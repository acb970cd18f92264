import CofferJSON
import CofferLogical
import CofferPolicy

/// Rows about what a matched rule demands: capabilities, sudo, wrapping, parameters.
enum ConditionCases {
    static let all: [ACLCase] = capabilities + sudo + legacy + parameters + wrapping + builtins

    static let capabilities: [ACLCase] = [
        row("create vs update: create grants create", [rule("secret/*", "create")], .create, "secret/x", .allow),
        row("create vs update: create does not grant update", [rule("secret/*", "create")], .update, "secret/x", .deny),
        row("create vs update: update grants update", [rule("secret/*", "update")], .update, "secret/x", .allow),
        row("create vs update: update does not grant create", [rule("secret/*", "update")], .create, "secret/x", .deny),
        row("patch needs patch", [rule("secret/*", "patch")], .patch, "secret/x", .allow),
        row("patch is not update", [rule("secret/*", "update")], .patch, "secret/x", .deny),
        row("delete needs delete", [rule("secret/*", "delete")], .delete, "secret/x", .allow),
        row("delete does not grant read", [rule("secret/*", "delete")], .read, "secret/x", .deny),
        row("read does not grant list", [rule("secret/*", "read")], .list, "secret/", .deny),
        row("a rule with no capabilities grants nothing", [#"path "secret/*" { capabilities = [] }"#], .read, "secret/x", .deny),
        row("root policy allows everything", [], .delete, "sys/anything", root: true, .allow),
        row("root policy allows root-protected paths", [], .update, "sys/rotate", rootProtected: true, root: true, .allow),
    ]

    static let sudo: [ACLCase] = [
        row("root-protected path needs sudo", [rule("sys/audit/*", "update")], .update, "sys/audit/file",
            rootProtected: true, .deny),
        row("root-protected path with sudo", [rule("sys/audit/*", "update", "sudo")], .update, "sys/audit/file",
            rootProtected: true, .allow),
        row("sudo alone does not grant the operation", [rule("sys/audit/*", "sudo")], .update, "sys/audit/file",
            rootProtected: true, .deny),
        row("deny beats sudo", [rule("sys/rotate", "update", "sudo"), rule("sys/rotate", "deny")], .update, "sys/rotate",
            rootProtected: true, .deny),
        row("sudo is not needed off root-protected paths", [rule("secret/*", "read")], .read, "secret/x", .allow),
    ]

    static let legacy: [ACLCase] = [
        row("legacy policy = write grants create", [#"path "secret/*" { policy = "write" }"#], .create, "secret/x", .allow),
        row("legacy policy = write grants list", [#"path "secret/*" { policy = "write" }"#], .list, "secret/", .allow),
        row("legacy policy = write grants delete", [#"path "secret/*" { policy = "write" }"#], .delete, "secret/x", .allow),
        row("legacy policy = write has no sudo", [#"path "sys/rotate" { policy = "write" }"#], .update, "sys/rotate",
            rootProtected: true, .deny),
        row("legacy policy = write has no patch", [#"path "secret/*" { policy = "write" }"#], .patch, "secret/x", .deny),
        row("legacy policy = sudo has sudo", [#"path "sys/rotate" { policy = "sudo" }"#], .update, "sys/rotate",
            rootProtected: true, .allow),
        row("legacy policy = read grants list", [#"path "secret/*" { policy = "read" }"#], .list, "secret/", .allow),
        row("legacy policy = read grants no update", [#"path "secret/*" { policy = "read" }"#], .update, "secret/x", .deny),
        row("legacy policy = deny denies", [#"path "secret/*" { policy = "deny" }"#, rule("secret/*", "read")],
            .read, "secret/x", .deny),
    ]

    static let requiredPolicy = #"path "secret/*" { capabilities = ["update", "read", "list"] required_parameters = ["name"] }"#
    static let allowedPolicy = #"""
        path "secret/*" {
          capabilities = ["create", "update", "read", "delete", "list", "patch"]
          allowed_parameters = { "foo" = ["bar"] }
        }
        """#
    static let allowedStarPolicy = #"""
        path "secret/*" {
          capabilities = ["update"]
          allowed_parameters = { "foo" = ["bar"], "*" = [] }
        }
        """#
    static let globPolicy = #"""
        path "secret/*" {
          capabilities = ["update"]
          allowed_parameters = { "name" = ["team-*", "*-prod"], "ttl" = [], "Mixed" = ["*mid*"] }
        }
        """#
    static let deniedPolicy = #"""
        path "secret/*" {
          capabilities = ["update"]
          denied_parameters = { "foo" = ["bar"], "wipe" = [] }
        }
        """#
    static let deniedStarPolicy = #"path "secret/*" { capabilities = ["update"] denied_parameters = { "*" = [] } }"#
    static let deniedOverAllowedPolicy = #"""
        path "secret/*" {
          capabilities = ["update"]
          allowed_parameters = { "foo" = [] }
          denied_parameters = { "foo" = ["bar"] }
        }
        """#
    static let tokenPolicy = #"""
        path "auth/token/create" {
          capabilities = ["update"]
          allowed_parameters = { "policies" = ["dev", "ops"], "ttl" = ["3600", 60] }
        }
        path "auth/token/create-orphan" {
          capabilities = ["update"]
          denied_parameters = { "policies" = ["root"], "ttl" = [3600] }
        }
        """#

    static let parameters: [ACLCase] = [
        row("required: present", [requiredPolicy], .update, "secret/x", data: ["name": "a"], .allow),
        row("required: missing", [requiredPolicy], .update, "secret/x", data: ["other": "a"], .deny),
        row("required: missing with no data at all", [requiredPolicy], .update, "secret/x", .deny),
        row("required: names compare case-insensitively", [requiredPolicy], .update, "secret/x", data: ["NAME": "a"], .allow),
        row("required: not checked for list", [requiredPolicy], .list, "secret/", .allow),
        row("allowed: no data is allowed", [allowedPolicy], .update, "secret/x", .allow),
        row("allowed: allowed value", [allowedPolicy], .update, "secret/x", data: ["foo": "bar"], .allow),
        row("allowed: other value", [allowedPolicy], .update, "secret/x", data: ["foo": "baz"], .deny),
        row("allowed: unlisted key", [allowedPolicy], .update, "secret/x", data: ["other": "bar"], .deny),
        row("allowed: checked for create", [allowedPolicy], .create, "secret/x", data: ["foo": "baz"], .deny),
        row("allowed: checked for read", [allowedPolicy], .read, "secret/x", data: ["foo": "baz"], .deny),
        row("allowed: checked for patch", [allowedPolicy], .patch, "secret/x", data: ["foo": "baz"], .deny),
        row("allowed: not checked for delete", [allowedPolicy], .delete, "secret/x", data: ["foo": "baz"], .allow),
        row("allowed: not checked for list", [allowedPolicy], .list, "secret/", data: ["foo": "baz"], .allow),
        row("allowed: key names compare case-insensitively", [allowedPolicy], .update, "secret/x", data: ["FOO": "bar"], .allow),
        row("allowed: values compare exactly", [allowedPolicy], .update, "secret/x", data: ["foo": "BAR"], .deny),
        row("allowed: * admits other keys", [allowedStarPolicy], .update, "secret/x", data: ["other": "anything"], .allow),
        row("allowed: * does not relax listed keys", [allowedStarPolicy], .update, "secret/x", data: ["foo": "baz"], .deny),
        row("allowed: only * admits everything", [#"path "s/*" { capabilities = ["update"] allowed_parameters = { "*" = [] } }"#],
            .update, "s/x", data: ["a": 1, "b": "c"], .allow),
        row("allowed: glob suffix", [globPolicy], .update, "secret/x", data: ["name": "team-a"], .allow),
        row("allowed: glob prefix", [globPolicy], .update, "secret/x", data: ["name": "db-prod"], .allow),
        row("allowed: glob mismatch", [globPolicy], .update, "secret/x", data: ["name": "db-dev"], .deny),
        row("allowed: glob on both ends", [globPolicy], .update, "secret/x", data: ["mixed": "a-mid-b"], .allow),
        row("allowed: empty list admits any value", [globPolicy], .update, "secret/x", data: ["ttl": 99], .allow),
        row("allowed: comma-separated string, every item allowed", [tokenPolicy], .update, "auth/token/create",
            data: ["policies": "dev, ops"], .allow),
        row("allowed: comma-separated string, one item not allowed", [tokenPolicy], .update, "auth/token/create",
            data: ["policies": "dev,root"], .deny),
        row("allowed: list, every element allowed", [tokenPolicy], .update, "auth/token/create",
            data: ["policies": ["dev", "ops"]], .allow),
        row("allowed: list, one element not allowed", [tokenPolicy], .update, "auth/token/create",
            data: ["policies": ["dev", "admin"]], .deny),
        row("allowed: a number matches its text", [tokenPolicy], .update, "auth/token/create", data: ["ttl": 3600], .allow),
        row("allowed: a numeric entry matches the string form", [tokenPolicy], .update, "auth/token/create",
            data: ["ttl": "60"], .allow),
        row("allowed: other number", [tokenPolicy], .update, "auth/token/create", data: ["ttl": 7200], .deny),
        row("denied: denied value", [deniedPolicy], .update, "secret/x", data: ["foo": "bar"], .deny),
        row("denied: other value", [deniedPolicy], .update, "secret/x", data: ["foo": "baz"], .allow),
        row("denied: empty list denies any value", [deniedPolicy], .update, "secret/x", data: ["wipe": false], .deny),
        row("denied: key names compare case-insensitively", [deniedPolicy], .update, "secret/x", data: ["Foo": "bar"], .deny),
        row("denied: * denies every parameter", [deniedStarPolicy], .update, "secret/x", data: ["a": "b"], .deny),
        row("denied: * still admits requests without data", [deniedStarPolicy], .update, "secret/x", .allow),
        row("denied beats allowed", [deniedOverAllowedPolicy], .update, "secret/x", data: ["foo": "bar"], .deny),
        row("denied beats allowed: other values pass", [deniedOverAllowedPolicy], .update, "secret/x", data: ["foo": "baz"], .allow),
        row("denied: an item of a comma-separated string", [tokenPolicy], .update, "auth/token/create-orphan",
            data: ["policies": "dev, root"], .deny),
        row("denied: an element of a list", [tokenPolicy], .update, "auth/token/create-orphan",
            data: ["policies": ["dev", "root"]], .deny),
        row("denied: policy names are lower-cased before matching", [tokenPolicy], .update, "auth/token/create-orphan",
            data: ["policies": "ROOT"], .deny),
        row("denied: the string form of a denied number", [tokenPolicy], .update, "auth/token/create-orphan",
            data: ["ttl": "3600"], .deny),
        row("denied: clean list passes", [tokenPolicy], .update, "auth/token/create-orphan",
            data: ["policies": ["dev", "ops"]], .allow),
        row("merged allowed lists: an empty list (any value) wins",
            [allowedPolicy, #"path "secret/*" { capabilities = ["update"] allowed_parameters = { "foo" = [] } }"#],
            .update, "secret/x", data: ["foo": "anything"], .allow),
        row("merged allowed lists are concatenated",
            [allowedPolicy, #"path "secret/*" { capabilities = ["update"] allowed_parameters = { "foo" = ["qux"] } }"#],
            .update, "secret/x", data: ["foo": "qux"], .allow),
        row("merged required parameters form a union",
            [requiredPolicy, #"path "secret/*" { capabilities = ["update"] required_parameters = ["id"] }"#],
            .update, "secret/x", data: ["name": "a"], .deny),
        row("deny merged over a conditioned rule denies",
            [allowedPolicy, rule("secret/*", "deny")], .update, "secret/x", .deny),
    ]

    static let wrapping: [ACLCase] = [
        row("min_wrapping_ttl makes wrapping mandatory", [#"path "s/*" { capabilities = ["read"] min_wrapping_ttl = "1s" }"#],
            .read, "s/x", .deny),
        row("min_wrapping_ttl satisfied", [#"path "s/*" { capabilities = ["read"] min_wrapping_ttl = "1s" }"#],
            .read, "s/x", wrap: 60, .allow),
        row("below min_wrapping_ttl", [#"path "s/*" { capabilities = ["read"] min_wrapping_ttl = 300 }"#],
            .read, "s/x", wrap: 60, .deny),
        row("above max_wrapping_ttl", [#"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "1h" }"#],
            .read, "s/x", wrap: 7200, .deny),
        row("within max_wrapping_ttl", [#"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "1h" }"#],
            .read, "s/x", wrap: 3600, .allow),
        row("max_wrapping_ttl also requires wrapping", [#"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "1h" }"#],
            .read, "s/x", .deny),
        row("merged max_wrapping_ttl: the smaller wins",
            [#"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "1h" }"#,
             #"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "10m" }"#], .read, "s/x", wrap: 1800, .deny),
        row("merged max_wrapping_ttl: within the smaller",
            [#"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "1h" }"#,
             #"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "10m" }"#], .read, "s/x", wrap: 300, .allow),
        row("merged bounds that contradict deny everything",
            [#"path "s/*" { capabilities = ["read"] min_wrapping_ttl = "1h" }"#,
             #"path "s/*" { capabilities = ["read"] max_wrapping_ttl = "10m" }"#], .read, "s/x", wrap: 600, .deny),
    ]

    static let builtins: [ACLCase] = [
        row("default policy: lookup-self is readable", [BuiltinPolicies.defaultPolicy], .read, "auth/token/lookup-self", .allow),
        row("default policy: lookup-self is not writable", [BuiltinPolicies.defaultPolicy], .update, "auth/token/lookup-self", .deny),
        row("default policy: renew-self", [BuiltinPolicies.defaultPolicy], .update, "auth/token/renew-self", .allow),
        row("default policy: capabilities-self", [BuiltinPolicies.defaultPolicy], .update, "sys/capabilities-self", .allow),
        row("default policy: cubbyhole create", [BuiltinPolicies.defaultPolicy], .create, "cubbyhole/note", .allow),
        row("default policy: cubbyhole read", [BuiltinPolicies.defaultPolicy], .read, "cubbyhole/note", .allow),
        row("default policy: cubbyhole list", [BuiltinPolicies.defaultPolicy], .list, "cubbyhole/", .allow),
        row("default policy: cubbyhole delete", [BuiltinPolicies.defaultPolicy], .delete, "cubbyhole/a/b", .allow),
        row("default policy: hashing tool", [BuiltinPolicies.defaultPolicy], .update, "sys/tools/hash/sha2-256", .allow),
        row("default policy: nothing else", [BuiltinPolicies.defaultPolicy], .read, "secret/data/x", .deny),
        row("default policy: no sys/policy access", [BuiltinPolicies.defaultPolicy], .update, "sys/policy/default", .deny),
        row("default policy: templated paths are not applied", [BuiltinPolicies.defaultPolicy],
            .read, "identity/entity/id/{{identity.entity.id}}", .deny),
        row("response-wrapping policy: read the response", [BuiltinPolicies.responseWrapping], .read, "cubbyhole/response", .allow),
        row("response-wrapping policy: nothing else in the cubbyhole", [BuiltinPolicies.responseWrapping],
            .read, "cubbyhole/other", .deny),
        row("response-wrapping policy: unwrap", [BuiltinPolicies.responseWrapping], .update, "sys/wrapping/unwrap", .allow),
    ]
}
