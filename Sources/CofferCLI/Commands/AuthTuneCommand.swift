import CofferClient
import CofferJSON

/// `coffer auth tune [-default-lease-ttl=D] [-max-lease-ttl=D] [-description=D]
/// [-listing-visibility=V] [-token-type=T] [-options=k=v ...] [-user-lockout-*] ... PATH`:
/// changes an auth method's settings (`POST sys/auth/<path>/tune`). Only the flags given
/// are sent.
enum AuthTuneCommand: CLICommand {
    static let path = ["auth", "tune"]
    static let synopsis = "Tunes an auth method configuration"
    static let help = """
        Usage: coffer auth tune [options] PATH

          Tunes the configuration options for the auth method at the given PATH. The
          argument corresponds to the PATH where the auth method is enabled, not the
          TYPE!

          Tune the default lease for the userpass auth method:

              $ coffer auth tune -default-lease-ttl=72h userpass/
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Command Options", [
            MountFlags.auditNonHMACRequestKeys,
            MountFlags.auditNonHMACResponseKeys,
            FlagSpec(
                "default-lease-ttl", kind: .string,
                usage: "The default lease TTL for this auth method. If unspecified, this defaults to the server's "
                    + "globally configured default lease TTL, or a previously configured value for the auth method."),
            FlagSpec(
                "description", kind: .string,
                usage: "Human-friendly description of the this auth method. This overrides the current stored value, "
                    + "if any."),
            MountFlags.listingVisibility,
            FlagSpec(
                "max-lease-ttl", kind: .string,
                usage: "The maximum lease TTL for this auth method. If unspecified, this defaults to the server's "
                    + "globally configured maximum lease TTL, or a previously configured value for the auth method."),
            MountFlags.passthroughRequestHeaders,
            MountFlags.allowedResponseHeaders,
            MountFlags.options,
            MountFlags.tokenType,
            MountFlags.version("auth method"),
            FlagSpec(
                "user-lockout-threshold", kind: .int,
                usage: "The threshold for user lockout for this auth method. If unspecified, this defaults to the "
                    + "server's globally configured user lockout threshold, or a previously configured value for the "
                    + "auth method."),
            FlagSpec(
                "user-lockout-duration", kind: .string,
                usage: "The user lockout duration for this auth method. If unspecified, this defaults to the server's "
                    + "globally configured user lockout duration, or a previously configured value for the auth method."),
            FlagSpec(
                "user-lockout-counter-reset-duration", kind: .string,
                usage: "The user lockout counter reset duration for this auth method. If unspecified, this defaults "
                    + "to the server's globally configured user lockout counter reset duration, or a previously "
                    + "configured value for the auth method."),
            FlagSpec(
                "user-lockout-disable", kind: .bool, default: "false",
                usage: "Disable user lockout for this auth method. If unspecified, this defaults to the server's "
                    + "globally configured user lockout disable, or a previously configured value for the auth method."),
            FlagSpec(
                "plugin-version", kind: .string,
                usage: "Select the semantic version of the plugin to run. The new version must be registered in the "
                    + "plugin catalog, and will not start running until the plugin is reloaded."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let settings: [String: JSONValue]
        do {
            settings = try self.settings(run.flags)
        } catch {
            run.error(error.message)
            return 1
        }
        let path = run.arguments[0].sanitizedAPIPath + "/"
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await AuthMethodsAPI.tune(client, at: path, settings: settings)
        } catch {
            return run.fail("Error tuning auth method \(path)", error)
        }
        run.output("Success! Tuned the auth method at: \(path)")
        return 0
    }

    /// The tune body: the given settings only.
    static func settings(_ flags: ParsedFlags) throws(CLIError) -> [String: JSONValue] {
        var settings = try MountFlags.tunedTTLs(flags)
        settings.merge(MountFlags.givenConfig(flags)) { _, given in given }
        let options = try MountFlags.mountOptions(flags)
        if !options.isEmpty { settings["options"] = JSONValue(options) }
        if let description = flags.string("description") { settings["description"] = .string(description) }
        if let lockout = try userLockout(flags) { settings["user_lockout_config"] = .object(lockout) }
        return settings
    }

    /// `user_lockout_config` from the `-user-lockout-*` flags given; nil when none was.
    private static func userLockout(_ flags: ParsedFlags) throws(CLIError) -> [String: JSONValue]? {
        var lockout: [String: JSONValue] = [:]
        if let threshold = flags.int("user-lockout-threshold") {
            guard threshold >= 0 else {
                throw CLIError(
                    .usage, "invalid value \"\(threshold)\" for flag -user-lockout-threshold: value out of range")
            }
            lockout["lockout_threshold"] = .string(String(threshold))
        }
        for (flag, member) in [
            ("user-lockout-duration", "lockout_duration"),
            ("user-lockout-counter-reset-duration", "lockout_counter_reset_duration"),
        ] {
            let duration = try DurationFlag(flag, in: flags)
            if duration != .unset, duration != .seconds(0), let value = duration.apiValue {
                lockout[member] = .string(value)
            }
        }
        if let disable = flags.bool("user-lockout-disable") { lockout["lockout_disable"] = .bool(disable) }
        return lockout.isEmpty ? nil : lockout
    }
}
