import CofferClient

/// `coffer secrets enable [-path=P] [-description=D] [-version=N] [-options=k=v ...] [-local]
/// [-default-lease-ttl=D] [-max-lease-ttl=D] TYPE`: mounts a secrets engine
/// (`POST sys/mounts/<path>`); the path defaults to the type.
enum SecretsEnableCommand: CLICommand {
    static let path = ["secrets", "enable"]
    static let synopsis = "Enable a secrets engine"
    static let help = """
        Usage: coffer secrets enable [options] TYPE

          Enables a secrets engine. By default, secrets engines are enabled at the path
          corresponding to their TYPE, but users can customize the path using the
          -path option.

          Once enabled, Coffer will route all requests which begin with the path to the
          secrets engine.

          Enable the KV secrets engine, version 2, at kv/:

              $ coffer secrets enable -version=2 kv

          Enable the transit secrets engine at transit-prod/:

              $ coffer secrets enable -path=transit-prod transit

          Enable the database secrets engine with an explicit maximum TTL of 30m:

              $ coffer secrets enable -max-lease-ttl=30m database
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Command Options", [
            FlagSpec("description", kind: .string, usage: "Human-friendly description for the purpose of this engine."),
            FlagSpec(
                "path", kind: .string,
                usage: "Place where the secrets engine will be accessible. This must be unique cross all secrets "
                    + "engines. This defaults to the \"type\" of the secrets engine."),
            FlagSpec(
                "default-lease-ttl", kind: .string,
                usage: "The default lease TTL for this secrets engine. If unspecified, this defaults to the server's "
                    + "globally configured default lease TTL."),
            FlagSpec(
                "max-lease-ttl", kind: .string,
                usage: "The maximum lease TTL for this secrets engine. If unspecified, this defaults to the server's "
                    + "globally configured maximum lease TTL."),
            FlagSpec(
                "force-no-cache", kind: .bool, default: "false",
                usage: "Force the secrets engine to disable caching. If unspecified, this defaults to the server's "
                    + "globally configured cache settings."),
            FlagSpec(
                "options", kind: .string,
                usage: "Key-value pair provided as key=value for the mount options. This can be specified multiple times."),
            FlagSpec(
                "local", kind: .bool, default: "false",
                usage: "Mark the secrets engine as local-only. Local engines are not replicated or removed by replication."),
            FlagSpec("seal-wrap", kind: .bool, default: "false", usage: "Enable seal wrapping of critical values in the secrets engine."),
            FlagSpec(
                "external-entropy-access", kind: .bool, default: "false",
                usage: "Enable secrets engine to access the server's external entropy source."),
            FlagSpec(
                "version", kind: .int, default: "0",
                usage: "Select the version of the engine to run. Not supported by all engines."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let engineType = run.arguments[0].trimmingWhitespace()
        var input = VaultMountInput(type: engineType, description: run.flags.string("description") ?? "")
        do {
            input.defaultLeaseTTL = try DurationFlag("default-lease-ttl", in: run.flags).apiValue ?? "0s"
            input.maxLeaseTTL = try DurationFlag("max-lease-ttl", in: run.flags).apiValue ?? "0s"
            input.options = try run.flags.keyValues("options")
        } catch {
            run.error(error.message)
            return 1
        }
        if let version = run.flags.int("version"), version > 0 { input.options["version"] = String(version) }
        input.forceNoCache = run.flags.bool("force-no-cache") ?? false
        input.local = run.flags.bool("local") ?? false
        input.sealWrap = run.flags.bool("seal-wrap") ?? false
        input.externalEntropyAccess = run.flags.bool("external-entropy-access") ?? false
        var mountPath = run.flags.string("path").flatMap { $0.isEmpty ? nil : $0 } ?? engineType
        if !mountPath.hasSuffix("/") { mountPath += "/" }

        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await client.enableMount(at: mountPath, input)
        } catch {
            return run.fail("Error enabling", error)
        }
        run.output("Success! Enabled the \(engineType) secrets engine at: \(mountPath)")
        return 0
    }
}
