/// What `coffer demo` was asked for: how many performance secondaries, and the first port.
///
/// Server `i` (0 is the primary) serves the API on `basePort + 10·i` and cluster traffic on
/// the port after it, so the highest port used is `basePort + 10·secondaries + 1`.
struct DemoOptions: Sendable, Equatable {
    /// `-secondaries` when not given.
    static let defaultSecondaries = 2
    /// `-base-port` when not given: Vault's default API port.
    static let defaultBasePort = 8200
    /// How many secondaries one demo may start: each is a full server process.
    static let secondaryLimit = 1...9
    /// Ports between two servers' API ports (API, cluster, and room to spare).
    static let portStride = 10

    var secondaries: Int
    var basePort: Int

    init(secondaries: Int = DemoOptions.defaultSecondaries, basePort: Int = DemoOptions.defaultBasePort) {
        self.secondaries = secondaries
        self.basePort = basePort
    }

    /// Reads and checks `-secondaries` and `-base-port`; the demo takes no positional
    /// arguments. Throws ``CLIError`` `.usage` with a message naming the flag.
    init(flags: ParsedFlags, arguments: [String]) throws(CLIError) {
        guard arguments.isEmpty else {
            throw CLIError(.usage, "Too many arguments (expected 0, got \(arguments.count))")
        }
        let secondaries = flags.int("secondaries") ?? Self.defaultSecondaries
        guard Self.secondaryLimit.contains(secondaries) else {
            throw CLIError(
                .usage,
                "-secondaries must be between \(Self.secondaryLimit.lowerBound) and \(Self.secondaryLimit.upperBound), got \(secondaries)")
        }
        let basePort = flags.int("base-port") ?? Self.defaultBasePort
        let highest = basePort + Self.portStride * secondaries + 1
        guard basePort >= 1, highest <= 65535 else {
            throw CLIError(
                .usage,
                "-base-port \(basePort) does not leave room for \(secondaries + 1) servers: ports \(basePort) to \(highest) must lie within 1 to 65535")
        }
        self.init(secondaries: secondaries, basePort: basePort)
    }
}
