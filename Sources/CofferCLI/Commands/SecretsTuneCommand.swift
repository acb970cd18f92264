import CofferClient
import CofferJSON

/// `coffer secrets tune [-default-lease-ttl=D] [-max-lease-ttl=D] [-description=D]
/// [-options=k=v ...] [-version=N] PATH`: changes a mount's settings
/// (`POST sys/mounts/<path>/tune`). Only the flags given are sent.
enum SecretsTuneCommand: CLICommand {
    static let path = ["secrets", "tune"]
    static let synopsis = "Tune a secrets engine configuration"
    static let help = """
        Usage: coffer secrets tune [options] PATH

          Tunes the configuration options for the secrets engine at the given PATH.
          The argument corresponds to the PATH where the secrets engine is enabled,
          not the TYPE!

          Tune the default lease for the PKI secrets engine:

              $ coffer secrets tune -default-lease-ttl=72h pki/
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Command Options", [
            FlagSpec(
                "default-lease-ttl", kind: .string,
                usage: "The default lease TTL for this secrets engine. If unspecified, this defaults to the server's "
                    + "globally configured default lease TTL, or a previously configured value for the secrets engine."),
            FlagSpec(
                "description", kind: .string,
                usage: "Human-friendly description of this secret engine. This overrides the current stored value, if any."),
            FlagSpec(
                "max-lease-ttl", kind: .string,
                usage: "The maximum lease TTL for this secrets engine. If unspecified, this defaults to the server's "
                    + "globally configured maximum lease TTL, or a previously configured value for the secrets engine."),
            FlagSpec(
                "options", kind: .string,
                usage: "Key-value pair provided as key=value for the mount options. This can be specified multiple times."),
            FlagSpec(
                "version", kind: .int, default: "0",
                usage: "Select the version of the engine to run. Not supported by all engines."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        var settings: [String: JSONValue] = [:]
        do {
            // 0 leaves a TTL as it is, as `vault` sends an empty value for it.
            for name in ["default-lease-ttl", "max-lease-ttl"] {
                let ttl = try DurationFlag(name, in: run.flags)
                if ttl != .seconds(0), let value = ttl.apiValue {
                    settings[name.replacing("-", with: "_")] = .string(value)
                }
            }
            var options = try run.flags.keyValues("options")
            if let version = run.flags.int("version"), version > 0 { options["version"] = String(version) }
            if !options.isEmpty { settings["options"] = JSONValue(options) }
        } catch {
            run.error(error.message)
            return 1
        }
        if let description = run.flags.string("description") { settings["description"] = .string(description) }
        let path = run.arguments[0].sanitizedAPIPath + "/"
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await client.tuneMount(at: path, settings)
        } catch {
            return run.fail("Error tuning secrets engine \(path)", error)
        }
        run.output("Success! Tuned the secrets engine at: \(path)")
        return 0
    }
}
