import CofferClient
import CofferJSON

/// `coffer auth enable [-path=P] [-description=D] [-default-lease-ttl=D] [-max-lease-ttl=D]
/// [-listing-visibility=V] [-token-type=T] [-options=k=v ...] [-local] ... TYPE`: enables an
/// auth method (`POST sys/auth/<path>`); the path defaults to the type.
enum AuthEnableCommand: CLICommand {
    static let path = ["auth", "enable"]
    static let synopsis = "Enables a new auth method"
    static let help = """
        Usage: coffer auth enable [options] TYPE

          Enables a new auth method. An auth method is responsible for authenticating
          users or machines and assigning them policies with which they can access
          Coffer.

          Enable the userpass auth method at userpass/:

              $ coffer auth enable userpass

          Enable the AppRole auth method at machines/, with a one hour default TTL:

              $ coffer auth enable -path=machines -default-lease-ttl=1h approle
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Command Options", [
            FlagSpec("description", kind: .string, usage: "Human-friendly description for the purpose of this auth method."),
            FlagSpec(
                "path", kind: .string,
                usage: "Place where the auth method will be accessible. This must be unique across all auth methods. "
                    + "This defaults to the \"type\" of the auth method. The auth method will be accessible at "
                    + "\"/auth/<path>\"."),
            FlagSpec(
                "default-lease-ttl", kind: .string,
                usage: "The default lease TTL for this auth method. If unspecified, this defaults to the server's "
                    + "globally configured default lease TTL."),
            FlagSpec(
                "max-lease-ttl", kind: .string,
                usage: "The maximum lease TTL for this auth method. If unspecified, this defaults to the server's "
                    + "globally configured maximum lease TTL."),
            MountFlags.auditNonHMACRequestKeys,
            MountFlags.auditNonHMACResponseKeys,
            MountFlags.listingVisibility,
            MountFlags.passthroughRequestHeaders,
            MountFlags.allowedResponseHeaders,
            FlagSpec(
                "plugin-name", kind: .string,
                usage: "Name of the auth method plugin. This plugin name must already exist in the server's plugin "
                    + "catalog."),
            MountFlags.options,
            FlagSpec(
                "local", kind: .bool, default: "false",
                usage: "Mark the auth method as local-only. Local auth methods are not replicated nor removed by "
                    + "replication."),
            FlagSpec("seal-wrap", kind: .bool, default: "false", usage: "Enable seal wrapping of critical values in the secrets engine."),
            FlagSpec(
                "external-entropy-access", kind: .bool, default: "false",
                usage: "Enable auth method to access the server's external entropy source."),
            MountFlags.tokenType,
            MountFlags.version("auth method"),
            FlagSpec("plugin-version", kind: .string, usage: "Select the semantic version of the plugin to enable."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        var authType = run.arguments[0].trimmingWhitespace()
        let pluginName = run.flags.string("plugin-name") ?? ""
        if authType == "plugin" { authType = pluginName }
        var input = VaultMountInput(type: authType, description: run.flags.string("description") ?? "")
        do {
            input.defaultLeaseTTL = try DurationFlag("default-lease-ttl", in: run.flags).apiValue ?? "0s"
            input.maxLeaseTTL = try DurationFlag("max-lease-ttl", in: run.flags).apiValue ?? "0s"
            input.options = try MountFlags.mountOptions(run.flags)
        } catch {
            run.error(error.message)
            return 1
        }
        input.local = run.flags.bool("local") ?? false
        input.sealWrap = run.flags.bool("seal-wrap") ?? false
        input.externalEntropyAccess = run.flags.bool("external-entropy-access") ?? false
        let body = body(input, extraConfig: MountFlags.givenConfig(run.flags))

        var mountPath = run.flags.string("path").flatMap { $0.isEmpty ? nil : $0 } ?? authType
        if !mountPath.hasSuffix("/") { mountPath += "/" }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await AuthMethodsAPI.enable(client, at: mountPath, body: body)
        } catch {
            return run.fail("Error enabling \(authType) auth", error)
        }
        var thing = authType + " auth method"
        if let version = run.flags.string("plugin-version"), !version.isEmpty { thing += " version " + version }
        run.output("Success! Enabled \(thing) at: \(mountPath)")
        return 0
    }

    /// The mount input's body with the optional `config` settings merged in.
    static func body(_ input: VaultMountInput, extraConfig: [String: JSONValue]) -> JSONValue {
        guard case .object(var body) = input.json else { return input.json }
        var config = body["config"]?.objectValue ?? [:]
        config.merge(extraConfig) { _, given in given }
        body["config"] = .object(config)
        return .object(body)
    }
}
