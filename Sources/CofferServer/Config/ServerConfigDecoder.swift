import CofferHCL
import CofferJSON

/// Turns a parsed HCL/JSON tree into a ``ServerConfig``, checking every key.
struct ServerConfigDecoder {
    let fileName: String

    private static let topLevelKeys: Set<String> = [
        "storage", "backend", "listener", "api_addr", "cluster_addr", "cluster_name", "default_lease_ttl",
        "max_lease_ttl", "ui", "log_level", "disable_mlock", "pid_file", "raw_storage_endpoint", "replication",
    ]
    private static let listenerKeys: Set<String> = [
        "address", "cluster_address", "tls_disable", "tls_cert_file", "tls_key_file",
    ]
    private static let replicationKeys: Set<String> = [
        "logshipper_buffer_length", "logshipper_buffer_size", "resolver_discover_servers",
        "allow_forwarding_via_header", "best_effort_wal_wait_duration",
    ]

    func decode(_ document: HCLObject) throws(ConfigError) -> ServerConfig {
        try checkKeys(document, allowed: Self.topLevelKeys, context: nil)
        var config = ServerConfig(storage: try storage(document), listeners: try listeners(document))
        config.apiAddress = try string(document, "api_addr")
        config.clusterAddress = try string(document, "cluster_addr")
        config.clusterName = try string(document, "cluster_name")
        let defaultTTL = try duration(document, "default_lease_ttl")
        let maxTTL = try duration(document, "max_lease_ttl")
        config.defaultLeaseTTL = defaultTTL.flatMap { $0 == 0 ? nil : $0 } ?? ServerConfig.defaultLeaseTTLSeconds
        config.maxLeaseTTL = maxTTL.flatMap { $0 == 0 ? nil : $0 } ?? ServerConfig.defaultLeaseTTLSeconds
        if config.defaultLeaseTTL > config.maxLeaseTTL {
            let entry = document.entry(named: "default_lease_ttl") ?? document.entry(named: "max_lease_ttl")
            throw ConfigError(
                code: .conflict, fileName: fileName, key: entry?.key, line: entry?.line,
                message: "default_lease_ttl cannot be greater than max_lease_ttl (768h each when unset)\(onLine(entry?.line))")
        }
        config.ui = try bool(document, "ui") ?? false
        config.logLevel = try logLevel(document)
        config.disableMlock = try bool(document, "disable_mlock") ?? false
        config.pidFile = try string(document, "pid_file")
        config.rawStorageEndpoint = try bool(document, "raw_storage_endpoint") ?? false
        config.replication = try replication(document)
        return config
    }

    // MARK: - Stanzas

    private func storage(_ document: HCLObject) throws(ConfigError) -> StorageConfig {
        let storage = document.entries(named: "storage")
        let backend = document.entries(named: "backend")
        if let first = storage.first, let other = backend.first {
            throw ConfigError(
                code: .conflict, fileName: fileName, key: "backend", line: other.line,
                message: "\"storage\" (line \(first.line)) and \"backend\" (line \(other.line)) cannot both be set; use \"storage\"")
        }
        let key = backend.isEmpty ? "storage" : "backend"
        let blocks = try self.blocks(document, key)
        guard let block = blocks.first else {
            throw ConfigError(code: .missing, fileName: fileName, key: "storage", message: "a \"storage\" block is required, e.g. storage \"sqlite\" { path = \"...\" }")
        }
        if blocks.count > 1 {
            throw ConfigError(
                code: .conflict, fileName: fileName, key: key, line: blocks[1].line,
                message: "only one \"\(key)\" block is allowed; another one is on line \(blocks[1].line)")
        }
        let type = block.label ?? ""
        let context = "\(key) \"\(type)\""
        switch type {
        case "inmem":
            try checkKeys(block.body, allowed: [], context: context)
            return .inmem
        case "sqlite":
            try checkKeys(block.body, allowed: ["path"], context: context)
            guard let path = try string(block.body, "path", context: context), !path.isEmpty else {
                throw ConfigError(
                    code: .missing, fileName: fileName, key: "path", line: block.line,
                    message: "\(context) on line \(block.line) requires \"path\"")
            }
            return .sqlite(path: path)
        case "postgresql":
            throw ConfigError(
                code: .unsupported, fileName: fileName, key: key, line: block.line,
                message: "storage type \"postgresql\" on line \(block.line) is not supported yet (supported: inmem, sqlite)")
        default:
            throw ConfigError(
                code: .unsupported, fileName: fileName, key: key, line: block.line,
                message: "unknown storage type \"\(type)\" on line \(block.line) (supported: inmem, sqlite)")
        }
    }

    private func listeners(_ document: HCLObject) throws(ConfigError) -> [ListenerConfig] {
        let blocks = try self.blocks(document, "listener")
        guard !blocks.isEmpty else {
            throw ConfigError(
                code: .missing, fileName: fileName, key: "listener",
                message: "at least one \"listener\" block is required, e.g. listener \"tcp\" { address = \"127.0.0.1:8200\" }")
        }
        var listeners: [ListenerConfig] = []
        for block in blocks {
            let type = block.label ?? ""
            guard type == "tcp" else {
                throw ConfigError(
                    code: .unsupported, fileName: fileName, key: "listener", line: block.line,
                    message: "listener type \"\(type)\" on line \(block.line) is not supported (only \"tcp\")")
            }
            let context = "listener \"tcp\""
            let body = block.body
            try checkKeys(body, allowed: Self.listenerKeys, context: context)
            let address = try string(body, "address", context: context) ?? ListenerConfig.defaultAddress
            guard ListenerConfig.splitHostPort(address) != nil else {
                throw invalid(body, "address", context: context, "must be host:port")
            }
            let clusterAddress: String
            if let explicit = try string(body, "cluster_address", context: context) {
                guard ListenerConfig.splitHostPort(explicit) != nil else {
                    throw invalid(body, "cluster_address", context: context, "must be host:port")
                }
                clusterAddress = explicit
            } else {
                guard let derived = ListenerConfig.defaultClusterAddress(for: address) else {
                    throw invalid(body, "address", context: context, "leaves no port for the default cluster_address (port + 1); set cluster_address")
                }
                clusterAddress = derived
            }
            let tlsDisable = try weakBool(body, "tls_disable", context: context) ?? false
            let tls: ListenerConfig.TLS
            if tlsDisable {
                tls = .disabled
            } else {
                let certFile = try string(body, "tls_cert_file", context: context)
                let keyFile = try string(body, "tls_key_file", context: context)
                guard let certFile, !certFile.isEmpty, let keyFile, !keyFile.isEmpty else {
                    let missing = (certFile ?? "").isEmpty ? "tls_cert_file" : "tls_key_file"
                    throw ConfigError(
                        code: .missing, fileName: fileName, key: missing, line: block.line,
                        message: "\(context) on line \(block.line) requires \"tls_cert_file\" and \"tls_key_file\" unless \"tls_disable\" is true")
                }
                tls = .enabled(certFile: certFile, keyFile: keyFile)
            }
            listeners.append(ListenerConfig(address: address, clusterAddress: clusterAddress, tls: tls))
        }
        return listeners
    }

    private func replication(_ document: HCLObject) throws(ConfigError) -> ReplicationConfig? {
        let blocks: [HCLBlock]
        do throws(HCLError) {
            blocks = try document.unlabelledBlocks(named: "replication")
        } catch {
            throw shapeError(error, key: "replication")
        }
        guard let block = blocks.first else { return nil }
        if blocks.count > 1 {
            throw ConfigError(
                code: .conflict, fileName: fileName, key: "replication", line: blocks[1].line,
                message: "only one \"replication\" block is allowed; another one is on line \(blocks[1].line)")
        }
        let context = "replication"
        try checkKeys(block.body, allowed: Self.replicationKeys, context: context)
        var config = ReplicationConfig()
        if let entry = block.body.entry(named: "logshipper_buffer_length") {
            guard let length = entry.value.intValue, length >= 0 else {
                throw invalid(entry, context: context, "must be a non-negative integer")
            }
            config.logshipperBufferLength = length
        }
        config.logshipperBufferSize = try string(block.body, "logshipper_buffer_size", context: context)
        config.resolverDiscoverServers = try weakBool(block.body, "resolver_discover_servers", context: context)
        config.allowForwardingViaHeader = try weakBool(block.body, "allow_forwarding_via_header", context: context)
        config.bestEffortWALWaitSeconds = try duration(block.body, "best_effort_wal_wait_duration")
        return config
    }

    private func logLevel(_ document: HCLObject) throws(ConfigError) -> ServerConfig.LogLevel? {
        guard let entry = document.entry(named: "log_level") else { return nil }
        guard let text = entry.value.stringValue else { throw invalid(entry, context: nil, "must be a string") }
        switch text.lowercased() {
        case "trace": return .trace
        case "debug": return .debug
        case "info": return .info
        case "warn", "warning": return .warn
        case "err", "error": return .error
        default: throw invalid(entry, context: nil, "must be one of trace, debug, info, warn, error")
        }
    }

    // MARK: - Values

    private func blocks(_ document: HCLObject, _ key: String) throws(ConfigError) -> [HCLBlock] {
        do throws(HCLError) {
            return try document.blocks(named: key)
        } catch {
            throw shapeError(error, key: key)
        }
    }

    private func string(_ object: HCLObject, _ key: String, context: String? = nil) throws(ConfigError) -> String? {
        guard let entry = object.entry(named: key) else { return nil }
        guard let text = entry.value.stringValue else {
            throw invalid(entry, context: context, "must be a string, found \(entry.value.kindDescription)")
        }
        return text
    }

    /// Bools read as Vault reads them: `true`, `"true"`, `"1"`, `1`…
    private func bool(_ object: HCLObject, _ key: String, context: String? = nil) throws(ConfigError) -> Bool? {
        try weakBool(object, key, context: context)
    }

    private func weakBool(_ object: HCLObject, _ key: String, context: String?) throws(ConfigError) -> Bool? {
        guard let entry = object.entry(named: key) else { return nil }
        guard let flag = entry.value.weakBoolValue else {
            throw invalid(entry, context: context, "must be a bool, found \(entry.value.kindDescription)")
        }
        return flag
    }

    private func duration(_ object: HCLObject, _ key: String) throws(ConfigError) -> Int64? {
        guard let entry = object.entry(named: key) else { return nil }
        do throws(VaultDuration.ParseError) {
            switch entry.value {
            case .string, .int, .double: return try VaultDuration.seconds(entry.value.jsonValue)
            default: throw VaultDuration.ParseError(code: .invalid, message: "invalid duration")
            }
        } catch {
            if error.code == .negative { throw invalid(entry, context: nil, "cannot be negative") }
            throw ConfigError(
                code: .invalidValue, fileName: fileName, key: key, line: entry.line,
                message: "invalid duration for \"\(key)\" on line \(entry.line) (use e.g. \"768h\", \"30m\" or seconds)")
        }
    }

    // MARK: - Errors

    private func checkKeys(_ object: HCLObject, allowed: Set<String>, context: String?) throws(ConfigError) {
        guard let entry = object.firstUnknownEntry(allowed: allowed) else { return }
        let place = context.map { " in \($0)" } ?? ""
        throw ConfigError(
            code: .unknownKey, fileName: fileName, key: entry.key, line: entry.line,
            message: "unknown key \"\(entry.key)\"\(onLine(entry.line))\(place)")
    }

    private func invalid(_ object: HCLObject, _ key: String, context: String?, _ problem: String) -> ConfigError {
        let entry = object.entry(named: key) ?? HCLEntry(key: key, value: .null)
        return invalid(entry, context: context, problem)
    }

    private func invalid(_ entry: HCLEntry, context: String?, _ problem: String) -> ConfigError {
        let place = context.map { " in \($0)" } ?? ""
        return ConfigError(
            code: .invalidValue, fileName: fileName, key: entry.key, line: entry.line == 0 ? nil : entry.line,
            message: "\"\(entry.key)\"\(onLine(entry.line))\(place) \(problem)")
    }

    private func shapeError(_ error: HCLError, key: String) -> ConfigError {
        ConfigError(
            code: .invalidValue, fileName: fileName, key: key, line: error.line == 0 ? nil : error.line,
            message: "\(error.message)\(onLine(error.line))")
    }

    private func onLine(_ line: Int?) -> String {
        guard let line, line > 0 else { return "" }
        return " on line \(line)"
    }
}
