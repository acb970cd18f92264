import CofferJSON
import CofferServer
import Foundation
import Testing

@Suite("Server configuration")
struct ConfigTests {
    private func parse(_ text: String) throws(ConfigError) -> ServerConfig {
        try ServerConfig.parse(text, fileName: "coffer.hcl")
    }

    private func failure(_ text: String) -> ConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func fullHCLConfig() throws {
        let config = try parse("""
            # Coffer server
            storage "sqlite" {
              path = "/data/coffer.db"
            }

            listener "tcp" {
              address     = "0.0.0.0:8200"
              tls_disable = true
            }

            listener "tcp" {
              address         = "[::1]:9200"
              cluster_address = "[::1]:9300"
              tls_cert_file   = "/etc/coffer/tls.crt"
              tls_key_file    = "/etc/coffer/tls.key"
            }

            api_addr          = "https://coffer.example.com:8200"
            cluster_addr      = "https://10.0.0.1:8201"
            cluster_name      = "primary"
            default_lease_ttl = "1h30m"
            max_lease_ttl     = "8760h"
            ui                = true
            log_level         = "WARNING"
            disable_mlock     = true
            pid_file          = "/run/coffer.pid"
            raw_storage_endpoint = "true"

            replication {
              logshipper_buffer_length  = 1000
              logshipper_buffer_size    = "5gb"
              resolver_discover_servers = false
            }
            """)
        #expect(config.storage == .sqlite(path: "/data/coffer.db"))
        #expect(config.listeners.count == 2)
        #expect(config.listeners[0] == ListenerConfig(address: "0.0.0.0:8200", clusterAddress: "0.0.0.0:8201", tls: .disabled))
        #expect(config.listeners[0].host == "0.0.0.0")
        #expect(config.listeners[0].port == 8200)
        #expect(config.listeners[1].tls == .enabled(certFile: "/etc/coffer/tls.crt", keyFile: "/etc/coffer/tls.key"))
        #expect(config.listeners[1].clusterAddress == "[::1]:9300")
        #expect(config.listeners[1].host == "::1")
        #expect(config.listeners[1].tlsCertFile == "/etc/coffer/tls.crt")
        #expect(config.listeners[1].tlsKeyFile == "/etc/coffer/tls.key")
        #expect(config.apiAddress == "https://coffer.example.com:8200")
        #expect(config.clusterAddress == "https://10.0.0.1:8201")
        #expect(config.clusterName == "primary")
        #expect(config.defaultLeaseTTL == 5400)
        #expect(config.maxLeaseTTL == 31_536_000)
        #expect(config.ui)
        #expect(config.logLevel == .warn)
        #expect(config.disableMlock)
        #expect(config.pidFile == "/run/coffer.pid")
        #expect(config.rawStorageEndpoint)
        #expect(config.replication == ReplicationConfig(logshipperBufferLength: 1000, logshipperBufferSize: "5gb", resolverDiscoverServers: false))
        // logshipper_buffer_length is the primary's WAL retention.
        #expect(ServerRunner.plan(from: config).core.walRetention == 1000)
    }

    @Test func jsonConfigWithListenerArray() throws {
        let text = #"{"storage":{"sqlite":{"path":"/data/coffer.db"}},"listener":[{"tcp":{"address":"0.0.0.0:8200","tls_disable":true}}],"api_addr":"http://127.0.0.1:8200","ui":true,"disable_mlock":true,"default_lease_ttl":"768h","max_lease_ttl":"8760h"}"#
        let config = try ServerConfig.parse(text, fileName: "coffer.json")
        #expect(config == ServerConfig(
            storage: .sqlite(path: "/data/coffer.db"),
            listeners: [ListenerConfig(address: "0.0.0.0:8200", tls: .disabled)],
            apiAddress: "http://127.0.0.1:8200",
            defaultLeaseTTL: 2_764_800,
            maxLeaseTTL: 31_536_000,
            ui: true,
            disableMlock: true))
        #expect(config.listeners[0].clusterAddress == "0.0.0.0:8201")
    }

    @Test func jsonConfigWithListenerObject() throws {
        let text = """
            {
              "storage": {"inmem": {}},
              "listener": {"tcp": {"address": "127.0.0.1:8300", "tls_disable": "true"}},
              "default_lease_ttl": 3600,
              "replication": {"logshipper_buffer_length": "20"}
            }
            """
        let config = try ServerConfig.parse(text, fileName: "coffer.json")
        #expect(config.storage == .inmem)
        #expect(config.listeners == [ListenerConfig(address: "127.0.0.1:8300", clusterAddress: "127.0.0.1:8301", tls: .disabled)])
        #expect(config.defaultLeaseTTL == 3600)
        #expect(config.replication?.logshipperBufferLength == 20)
    }

    @Test func jsonAndHCLAgree() throws {
        let hcl = try parse("""
            storage "sqlite" { path = "/x.db" }
            listener "tcp" { address = "0.0.0.0:8200" tls_disable = 1 }
            max_lease_ttl = "48h"
            default_lease_ttl = "24h"
            log_level = "debug"
            """)
        let json = try parse(#"""
            {"storage": [{"sqlite": {"path": "/x.db"}}], "listener": {"tcp": [{"address": "0.0.0.0:8200", "tls_disable": 1}]},
             "max_lease_ttl": "48h", "default_lease_ttl": 86400, "log_level": "DEBUG"}
            """#)
        #expect(hcl == json)
    }

    @Test(arguments: [#"true"#, #""true""#, #"1"#, #""1""#, #""t""#])
    func tlsDisableForms(_ value: String) throws {
        let config = try parse("storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = \(value) }")
        #expect(config.listeners[0].tls == .disabled)
    }

    @Test(arguments: [#"false"#, #""false""#, #"0"#, #""0""#])
    func tlsEnabledNeedsFiles(_ value: String) throws {
        let error = try #require(failure("storage \"inmem\" {}\n\nlistener \"tcp\" {\n tls_disable = \(value)\n tls_key_file = \"k\"\n}"))
        #expect(error.code == .missing)
        #expect(error.key == "tls_cert_file")
        #expect(error.line == 3)
        #expect(error.description.contains("on line 3"))
        #expect(error.description.contains("tls_cert_file"))
    }

    @Test func defaults() throws {
        let config = try parse("storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }")
        #expect(config.listeners[0].address == "127.0.0.1:8200")
        #expect(config.listeners[0].clusterAddress == "127.0.0.1:8201")
        #expect(config.defaultLeaseTTL == 768 * 3600)
        #expect(config.maxLeaseTTL == 768 * 3600)
        #expect(config.ui == false)
        #expect(config.logLevel == nil)
        #expect(config.disableMlock == false)
        #expect(config.rawStorageEndpoint == false)
        #expect(config.replication == nil)
        #expect(config.apiAddress == nil)
        #expect(config.pidFile == nil)
        // 0 means "the default", as in Vault.
        #expect(try parse("storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\ndefault_lease_ttl = 0").defaultLeaseTTL == 768 * 3600)
    }

    @Test func backendIsAStorageSynonym() throws {
        let config = try parse("backend \"sqlite\" { path = \"/b.db\" }\nlistener \"tcp\" { tls_disable = true }")
        #expect(config.storage == .sqlite(path: "/b.db"))
        let both = try #require(failure("storage \"inmem\" {}\nbackend \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }"))
        #expect(both.code == .conflict)
        #expect(both.line == 2)
        #expect(both.description.contains("\"storage\" (line 1) and \"backend\" (line 2) cannot both be set"))
    }

    @Test func logLevels() throws {
        let base = "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\n"
        let expected: [String: ServerConfig.LogLevel] = [
            "trace": .trace, "DEBUG": .debug, "Info": .info, "warn": .warn, "warning": .warn, "err": .error, "ERROR": .error,
        ]
        for (text, level) in expected {
            #expect(try parse(base + "log_level = \"\(text)\"").logLevel == level)
        }
        #expect(ServerConfig.LogLevel.warn.loggerLevel == .warning)
    }

    /// Every rejection names the key (when there is one) and the line.
    @Test(arguments: [
        ("storge \"inmem\" {}", "storge", 3, ConfigError.Code.unknownKey, #"unknown key "storge" on line 3"#),
        ("ui = true\nlog_levle = \"info\"", "log_levle", 4, .unknownKey, #"unknown key "log_levle" on line 4"#),
        ("cluster_name = \"x\"\n\nfoo { }", "foo", 5, .unknownKey, #"unknown key "foo" on line 5"#),
        ("default_lease_ttl = \"forever\"", "default_lease_ttl", 3, .invalidValue, #"invalid duration for "default_lease_ttl" on line 3"#),
        ("max_lease_ttl = \"10x\"", "max_lease_ttl", 3, .invalidValue, #"invalid duration for "max_lease_ttl" on line 3"#),
        ("max_lease_ttl = true", "max_lease_ttl", 3, .invalidValue, #"invalid duration for "max_lease_ttl" on line 3"#),
        ("default_lease_ttl = \"-5m\"", "default_lease_ttl", 3, .invalidValue, #""default_lease_ttl" on line 3 cannot be negative"#),
        ("default_lease_ttl = \"800h\"", "default_lease_ttl", 3, .conflict, "default_lease_ttl cannot be greater than max_lease_ttl"),
        ("\n\nmax_lease_ttl = \"1h\"", "max_lease_ttl", 5, .conflict, "cannot be greater than max_lease_ttl (768h each when unset) on line 5"),
        ("log_level = \"loud\"", "log_level", 3, .invalidValue, #""log_level" on line 3 must be one of"#),
        ("log_level = 3", "log_level", 3, .invalidValue, #""log_level" on line 3 must be one of"#),
        ("log_level = [\"info\"]", "log_level", 3, .invalidValue, #""log_level" on line 3 must be a string"#),
        ("ui = \"maybe\"", "ui", 3, .invalidValue, #""ui" on line 3 must be a bool, found a string"#),
        ("ui { }", "ui", 3, .invalidValue, #""ui" on line 3 must be a bool, found an object"#),
        ("api_addr = [\"a\"]", "api_addr", 3, .invalidValue, #""api_addr" on line 3 must be a string, found a list"#),
        ("pid_file = true", "pid_file", 3, .invalidValue, #""pid_file" on line 3 must be a string"#),
        ("replication {\n  logshipper_buffer_length = 1\n  bogus = 2\n}", "bogus", 5, .unknownKey, #"unknown key "bogus" on line 5 in replication"#),
        ("replication {\n  logshipper_buffer_length = \"many\"\n}", "logshipper_buffer_length", 4, .invalidValue, #""logshipper_buffer_length" on line 4 in replication must be a non-negative integer"#),
        ("replication {\n resolver_discover_servers = \"perhaps\"\n}", "resolver_discover_servers", 4, .invalidValue, "must be a bool"),
        ("replication {}\nreplication {}", "replication", 4, .conflict, "only one \"replication\" block is allowed; another one is on line 4"),
        ("replication = 3", "replication", 3, .invalidValue, "\"replication\" must be a block, found a number on line 3"),
    ] as [(String, String, Int, ConfigError.Code, String)])
    func topLevelErrors(_ extra: String, _ key: String, _ line: Int, _ code: ConfigError.Code, _ fragment: String) throws {
        let text = "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\n" + extra
        let error = try #require(failure(text))
        #expect(error.key == key)
        #expect(error.line == line)
        #expect(error.code == code)
        #expect(error.description.hasPrefix("coffer.hcl: "))
        #expect(error.description.contains(fragment), "\(error.description)")
    }

    @Test(arguments: [
        ("storage \"sqlite\" {\n  paht = \"/x\"\n}", "paht", 2, ConfigError.Code.unknownKey, #"unknown key "paht" on line 2 in storage "sqlite""#),
        ("storage \"sqlite\" {\n}", "path", 1, .missing, #"storage "sqlite" on line 1 requires "path""#),
        ("storage \"sqlite\" {\n  path = 5.5\n}", "path", 2, .invalidValue, #""path" on line 2 in storage "sqlite" must be a string"#),
        ("storage \"inmem\" {\n  path = \"/x\"\n}", "path", 2, .unknownKey, #"unknown key "path" on line 2 in storage "inmem""#),
        ("\nstorage \"consul\" {}", "storage", 2, .unsupported, #"unknown storage type "consul" on line 2"#),
        ("storage \"postgresql\" { connection_url = \"x\" }", "storage", 1, .unsupported, #"storage type "postgresql" on line 1 is not supported yet"#),
        ("backend \"raft\" {}", "backend", 1, .unsupported, #"unknown storage type "raft" on line 1"#),
        ("storage \"inmem\" {}\nstorage \"inmem\" {}", "storage", 2, .conflict, "only one \"storage\" block is allowed; another one is on line 2"),
        ("storage = \"inmem\"", "storage", 1, .invalidValue, "\"storage\" must be a block, found a string on line 1"),
    ] as [(String, String, Int, ConfigError.Code, String)])
    func storageErrors(_ storage: String, _ key: String, _ line: Int, _ code: ConfigError.Code, _ fragment: String) throws {
        let text = storage + "\nlistener \"tcp\" { tls_disable = true }"
        let error = try #require(failure(text))
        #expect(error.key == key)
        #expect(error.line == line)
        #expect(error.code == code)
        #expect(error.description.contains(fragment), "\(error.description)")
    }

    @Test(arguments: [
        ("listener \"tcp\" {\n  adress = \"x\"\n}", "adress", 3, ConfigError.Code.unknownKey, #"unknown key "adress" on line 3 in listener "tcp""#),
        ("listener \"unix\" {\n}", "listener", 2, .unsupported, #"listener type "unix" on line 2 is not supported"#),
        ("listener \"tcp\" {\n  tls_disable = \"sometimes\"\n}", "tls_disable", 3, .invalidValue, #""tls_disable" on line 3 in listener "tcp" must be a bool"#),
        ("listener \"tcp\" {\n  tls_disable = true\n  address = \"no-port\"\n}", "address", 4, .invalidValue, #""address" on line 4 in listener "tcp" must be host:port"#),
        ("listener \"tcp\" {\n  tls_disable = true\n  address = \"h:99999\"\n}", "address", 4, .invalidValue, "must be host:port"),
        ("listener \"tcp\" {\n  tls_disable = true\n  address = \"h:65535\"\n}", "address", 4, .invalidValue, "set cluster_address"),
        ("listener \"tcp\" {\n  tls_disable = true\n  cluster_address = \"::1:80\"\n}", "cluster_address", 4, .invalidValue, "must be host:port"),
        ("listener \"tcp\" {\n  tls_cert_file = \"c\"\n}", "tls_key_file", 2, .missing, #"requires "tls_cert_file" and "tls_key_file" unless "tls_disable" is true"#),
        ("listener \"tcp\" {\n  tls_disable = true\n}\nlistener \"tcp\" {\n}", "tls_cert_file", 5, .missing, "on line 5"),
        ("", "listener", nil, .missing, "at least one \"listener\" block is required"),
        ("listener \"tcp\" \"extra\" {}", "extra", 2, .unknownKey, #"unknown key "extra" on line 2 in listener "tcp""#),
        ("listener = [\"tcp\"]", "listener", 2, .invalidValue, "\"listener\" must be a block, found a list on line 2"),
        ("listener { tcp = 1 }", "listener", 2, .invalidValue, "\"listener\" block \"tcp\" must have a body, found a number on line 2"),
    ] as [(String, String, Int?, ConfigError.Code, String)])
    func listenerErrors(_ listener: String, _ key: String, _ line: Int?, _ code: ConfigError.Code, _ fragment: String) throws {
        let text = "storage \"inmem\" {}\n" + listener
        let error = try #require(failure(text))
        #expect(error.key == key)
        #expect(error.line == line)
        #expect(error.code == code)
        #expect(error.description.contains(fragment), "\(error.description)")
    }

    @Test func missingStorage() throws {
        let error = try #require(failure("listener \"tcp\" { tls_disable = true }"))
        #expect(error.code == .missing)
        #expect(error.key == "storage")
    }

    @Test func syntaxErrorsCarryLines() throws {
        let error = try #require(failure("storage \"inmem\" {}\nlistener \"tcp\" {\n  address \"x\"\n}"))
        #expect(error.code == .syntax)
        #expect(error.line == 4)
        #expect(error.description.hasPrefix("coffer.hcl: line 4, column 1: expected '=' or '{'"))
        let json = try #require(failure("{\"storage\": {\"inmem\": {}},\n \"ui\": tru}"))
        #expect(json.code == .syntax)
        #expect(json.line == 2)
    }

    @Test func errorsNeverEchoValues() throws {
        let secret = "hvs.SuperSecretValue"
        let texts = [
            "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = \"\(secret)\" }",
            "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\ndefault_lease_ttl = \"\(secret)\"",
            "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\nlog_level = \"\(secret)\"",
            "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true, address = \"\(secret)\" }",
            "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\nui = \"\(secret)\\q\"",
        ]
        for text in texts {
            let error = try #require(failure(text))
            #expect(!error.description.contains("SuperSecret"), "\(error.description)")
        }
    }

    @Test func loadFromFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-config-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("coffer.hcl")
        try Data("storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\n".utf8).write(to: file)
        #expect(try ServerConfig.load(path: file.path).storage == .inmem)

        let bad = directory.appendingPathComponent("bad.hcl")
        try Data("storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\nstorge = 1\n".utf8).write(to: bad)
        #expect(performing: { try ServerConfig.load(path: bad.path) }, throws: { error in
            (error as? ConfigError)?.description == "\(bad.path): unknown key \"storge\" on line 3"
        })
        #expect(performing: { try ServerConfig.load(path: directory.appendingPathComponent("missing.hcl").path) },
                throws: { ($0 as? ConfigError)?.code == .unreadable })
        #expect(performing: { try ServerConfig.load(path: directory.path) }, throws: { ($0 as? ConfigError)?.code == .unsupported })
        let binary = directory.appendingPathComponent("binary.hcl")
        try Data([0x75, 0x69, 0x20, 0x3D, 0x20, 0xFF]).write(to: binary)
        #expect(performing: { try ServerConfig.load(path: binary.path) }, throws: { ($0 as? ConfigError)?.code == .unreadable })
    }

    @Test func listenerAddressHelpers() {
        #expect(ListenerConfig.defaultClusterAddress(for: "0.0.0.0:8200") == "0.0.0.0:8201")
        #expect(ListenerConfig.defaultClusterAddress(for: "[::]:8200") == "[::]:8201")
        #expect(ListenerConfig.defaultClusterAddress(for: ":8200") == ":8201")
        #expect(ListenerConfig.defaultClusterAddress(for: "localhost:0") == "localhost:0")
        #expect(ListenerConfig.defaultClusterAddress(for: "h:65535") == nil)
        #expect(ListenerConfig.defaultClusterAddress(for: "nohost") == nil)
        #expect(ListenerConfig.splitHostPort("example.com:443")! == ("example.com", 443))
        #expect(ListenerConfig.splitHostPort("[fe80::1]:8200")! == ("fe80::1", 8200))
        #expect(ListenerConfig.splitHostPort("fe80::1:8200") == nil)
        #expect(ListenerConfig.splitHostPort("h:+80") == nil)
        #expect(ListenerConfig.splitHostPort("h:") == nil)
        #expect(ListenerConfig(tls: .disabled).clusterAddress == "127.0.0.1:8201")
    }
}
