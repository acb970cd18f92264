import CofferCore
import CofferServer
import Foundation
import Logging

/// `coffer server`: Go-style flags, as `vault server` takes them.
///
///     coffer server -dev [-dev-root-token-id=ID] [-dev-listen-address=ADDR] [-dev-cluster-address=ADDR]
///     coffer server -config=FILE [-log-level=LEVEL]
enum ServerCommand {
    static let usage = """
        Usage: coffer server [options]

          Starts a Coffer server that serves Vault's HTTP API.

          -config=<path>               Server configuration file (HCL or JSON).
          -dev                         Development mode: in-memory, initialised and unsealed.
          -dev-root-token-id=<token>   Root token value in dev mode.
          -dev-listen-address=<addr>   Dev mode listener (default 127.0.0.1:8200).
          -dev-cluster-address=<addr>  Dev mode cluster address (default: API port + 1).
          -log-level=<level>           trace, debug, info, warn, error (default info).
        """

    static func run(_ arguments: [String]) async -> Int32 {
        do {
            let plan = try parse(arguments)
            try await ServerRunner.run(plan)
            return 0
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("\(error.message)\n\n\(usage)\n".utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("Error starting the server: \(error)\n".utf8))
            return 1
        }
    }

    struct UsageError: Error { var message: String }

    static func parse(_ arguments: [String]) throws -> ServerPlan {
        var flags: [String: String] = [:]
        var configs: [String] = []
        var index = 0
        while index < arguments.count {
            let arg = arguments[index]
            guard arg.hasPrefix("-") else { throw UsageError(message: "unexpected argument \"\(arg)\"") }
            var body = arg.drop(while: { $0 == "-" })
            var value: String?
            if let eq = body.firstIndex(of: "=") {
                value = String(body[body.index(after: eq)...])
                body = body[..<eq]
            }
            let name = String(body)
            switch name {
            case "dev":
                flags["dev"] = value ?? "true"
            case "config", "dev-root-token-id", "dev-listen-address", "dev-cluster-address", "log-level":
                if value == nil {
                    index += 1
                    guard index < arguments.count else { throw UsageError(message: "flag -\(name) needs a value") }
                    value = arguments[index]
                }
                if name == "config" { configs.append(value!) } else { flags[name] = value! }
            case "h", "help":
                throw UsageError(message: "")
            default:
                throw UsageError(message: "flag provided but not defined: -\(name)")
            }
            index += 1
        }
        let level = try flags["log-level"].map(parseLogLevel)
        if flags["dev"] == "true" {
            guard configs.isEmpty else { throw UsageError(message: "-dev and -config cannot be combined yet") }
            let listen = flags["dev-listen-address"] ?? ListenerConfig.defaultAddress
            guard ListenerConfig.splitHostPort(listen) != nil else {
                throw UsageError(message: "-dev-listen-address \"\(listen)\" must be host:port")
            }
            let cluster = flags["dev-cluster-address"] ?? ListenerConfig.defaultClusterAddress(for: listen) ?? listen
            return ServerPlan(
                storage: .inmem,
                listeners: [ListenerConfig(address: listen, clusterAddress: cluster, tls: .disabled)],
                core: CoreConfig(apiAddress: "http://\(listen)", clusterAddress: "https://\(cluster)"),
                logLevel: level ?? .info,
                dev: .init(
                    rootTokenID: flags["dev-root-token-id"],
                    tokenFile: (ProcessInfo.processInfo.environment["HOME"]
                        ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.vault-token"
                )
            )
        }
        guard configs.count == 1 else {
            throw UsageError(message: configs.isEmpty
                ? "a configuration file must be given with -config, or use -dev"
                : "only one -config file is supported")
        }
        var plan = ServerRunner.plan(from: try ServerConfig.load(path: configs[0]))
        if let level { plan.logLevel = level }
        return plan
    }

    static func parseLogLevel(_ text: String) throws -> Logger.Level {
        switch text.lowercased() {
        case "trace": return .trace
        case "debug": return .debug
        case "info": return .info
        case "warn", "warning": return .warning
        case "err", "error": return .error
        default: throw UsageError(message: "unknown log level \"\(text)\"")
        }
    }
}
