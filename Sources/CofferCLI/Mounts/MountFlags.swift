import CofferJSON

/// The mount settings `auth enable` and `auth tune` take as flags, shared so that both read
/// and send them alike (Vault's `secrets enable|tune` take the same ones).
///
/// | flag | body member (under `config`) | sent |
/// |---|---|---|
/// | `-audit-non-hmac-request-keys` (repeatable) | `audit_non_hmac_request_keys` | when given |
/// | `-audit-non-hmac-response-keys` (repeatable) | `audit_non_hmac_response_keys` | when given |
/// | `-listing-visibility` | `listing_visibility` | when given |
/// | `-passthrough-request-headers` (repeatable) | `passthrough_request_headers` | when given |
/// | `-allowed-response-headers` (repeatable) | `allowed_response_headers` | when given |
/// | `-token-type` | `token_type` | when given |
/// | `-plugin-version` | `plugin_version` | when given |
/// | `-options k=v` (repeatable), `-version=N` | `options` (top level), `version` option | when any |
enum MountFlags {
    static let auditNonHMACRequestKeys = FlagSpec(
        "audit-non-hmac-request-keys", kind: .string,
        usage: "Key that will not be HMAC'd by audit devices in the request data object. To specify multiple "
            + "values, specify this flag multiple times.")

    static let auditNonHMACResponseKeys = FlagSpec(
        "audit-non-hmac-response-keys", kind: .string,
        usage: "Key that will not be HMAC'd by audit devices in the response data object. To specify multiple "
            + "values, specify this flag multiple times.")

    static let listingVisibility = FlagSpec(
        "listing-visibility", kind: .string,
        usage: "Determines the visibility of the mount in the UI-specific listing endpoint.")

    static let passthroughRequestHeaders = FlagSpec(
        "passthrough-request-headers", kind: .string,
        usage: "Request header value that will be sent to the plugin. To specify multiple values, specify this "
            + "flag multiple times.")

    static let allowedResponseHeaders = FlagSpec(
        "allowed-response-headers", kind: .string,
        usage: "Response header value that plugins will be allowed to set. To specify multiple values, specify "
            + "this flag multiple times.")

    static let tokenType = FlagSpec("token-type", kind: .string, usage: "Sets a forced token type for the mount.")

    static let options = FlagSpec(
        "options", kind: .string,
        usage: "Key-value pair provided as key=value for the mount options. This can be specified multiple times.")

    static func version(_ noun: String) -> FlagSpec {
        FlagSpec(
            "version", kind: .int, default: "0",
            usage: "Select the version of the \(noun) to run. Not supported by all \(noun)s.")
    }

    /// The repeatable flags whose values are sent as lists, and their body names.
    private static let listSettings = [
        ("audit-non-hmac-request-keys", "audit_non_hmac_request_keys"),
        ("audit-non-hmac-response-keys", "audit_non_hmac_response_keys"),
        ("passthrough-request-headers", "passthrough_request_headers"),
        ("allowed-response-headers", "allowed_response_headers"),
    ]

    /// The single-valued flags sent as strings, and their body names.
    private static let stringSettings = [
        ("listing-visibility", "listing_visibility"),
        ("token-type", "token_type"),
        ("plugin-version", "plugin_version"),
    ]

    /// `config` members for the settings above that were given on the command line (as the
    /// Go CLI, which sends only the flags it visited). Flags a command does not define are
    /// simply absent.
    static func givenConfig(_ flags: ParsedFlags) -> [String: JSONValue] {
        var config: [String: JSONValue] = [:]
        for (flag, member) in listSettings where flags.isSet(flag) {
            config[member] = JSONValue(flags.list(flag))
        }
        for (flag, member) in stringSettings {
            if let value = flags.string(flag) { config[member] = .string(value) }
        }
        return config
    }

    /// `-options k=v ...` with `-version=N` (when above 0) as the `version` option.
    static func mountOptions(_ flags: ParsedFlags) throws(CLIError) -> [String: String] {
        var options = try flags.keyValues("options")
        if let version = flags.int("version"), version > 0 { options["version"] = String(version) }
        return options
    }

    /// `default_lease_ttl` and `max_lease_ttl` for a tune request: only the TTLs given and
    /// not 0 (0 leaves a TTL as it is, as `vault` sends an empty value for it); `system`
    /// asks for the server's default.
    static func tunedTTLs(_ flags: ParsedFlags) throws(CLIError) -> [String: JSONValue] {
        var settings: [String: JSONValue] = [:]
        for (flag, member) in [("default-lease-ttl", "default_lease_ttl"), ("max-lease-ttl", "max_lease_ttl")] {
            let ttl = try DurationFlag(flag, in: flags)
            if ttl != .seconds(0), let value = ttl.apiValue { settings[member] = .string(value) }
        }
        return settings
    }
}
