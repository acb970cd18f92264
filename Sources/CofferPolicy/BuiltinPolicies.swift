/// The policies every cluster has.
///
/// - `root` has no text: a token holding it gets the root ACL (``ACL/isRoot``). It cannot
///   be created, changed or deleted.
/// - `default` is written at initialisation from ``defaultPolicy`` and attached to tokens
///   unless they opt out; operators may edit it but not delete it.
/// - `response-wrapping` is fixed, internal, never listed or assignable, and attached to
///   wrapping tokens only.
public enum BuiltinPolicies {
    public static let rootName = "root"
    public static let defaultName = "default"
    public static let responseWrappingName = "response-wrapping"

    /// The text of the `default` policy (the reference, section 7.2): a token may look up,
    /// renew and revoke itself, ask its capabilities, use its cubbyhole, renew and look
    /// up leases, and use the wrapping and hashing tools.
    public static let defaultPolicy = """
        path "auth/token/lookup-self"  { capabilities = ["read"] }
        path "auth/token/renew-self"   { capabilities = ["update"] }
        path "auth/token/revoke-self"  { capabilities = ["update"] }
        path "sys/capabilities-self"   { capabilities = ["update"] }
        path "identity/entity/id/{{identity.entity.id}}"     { capabilities = ["read"] }
        path "identity/entity/name/{{identity.entity.name}}" { capabilities = ["read"] }
        path "sys/internal/ui/resultant-acl" { capabilities = ["read"] }
        path "sys/leases/renew"  { capabilities = ["update"] }
        path "sys/leases/lookup" { capabilities = ["update"] }
        path "cubbyhole/*"       { capabilities = ["create", "read", "update", "delete", "list"] }
        path "sys/wrapping/wrap"   { capabilities = ["update"] }
        path "sys/wrapping/lookup" { capabilities = ["update"] }
        path "sys/wrapping/unwrap" { capabilities = ["update"] }
        path "sys/tools/hash"   { capabilities = ["update"] }
        path "sys/tools/hash/*" { capabilities = ["update"] }

        """

    /// The text of the `response-wrapping` policy: read the wrapped response out of the
    /// wrapping token's cubbyhole, and unwrap.
    public static let responseWrapping = """
        path "cubbyhole/response" {
            capabilities = ["create", "read"]
        }

        path "sys/wrapping/unwrap" {
            capabilities = ["update"]
        }

        """

    /// The parsed `response-wrapping` policy (its text is fixed and known to parse).
    public static let responseWrappingPolicy: Policy = {
        do {
            return try PolicyParser.parse(name: responseWrappingName, text: responseWrapping)
        } catch {
            preconditionFailure("built-in response-wrapping policy does not parse: \(error)")
        }
    }()
}
