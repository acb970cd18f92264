/// Where each server of a demo lives: its ports on 127.0.0.1, its folder, configuration
/// file, database and log. Pure: computing a layout touches nothing.
///
/// ```
/// <root>/primary/coffer.hcl      API 127.0.0.1:P       cluster 127.0.0.1:P+1
/// <root>/primary/coffer.db
/// <root>/primary/server.log
/// <root>/secondary-1/...         API 127.0.0.1:P+10    cluster 127.0.0.1:P+11
/// <root>/secondary-2/...         API 127.0.0.1:P+20    cluster 127.0.0.1:P+21
/// ```
struct DemoLayout: Sendable, Equatable {
    /// One server of the demo.
    struct Node: Sendable, Equatable {
        enum Role: Sendable, Equatable {
            case primary
            /// Numbered from 1.
            case secondary(Int)
        }

        var role: Role
        var apiPort: Int
        var clusterPort: Int
        /// The server's own folder below the demo's root folder.
        var directory: String

        /// `primary`, `secondary-1`, ...: the folder name, the id given to the primary
        /// when minting the activation token, and how messages name the server.
        var name: String {
            switch role {
            case .primary: "primary"
            case .secondary(let number): "secondary-\(number)"
            }
        }

        /// How the ready banner describes the server.
        var roleDescription: String {
            switch role {
            case .primary: "performance primary"
            case .secondary: "performance secondary"
            }
        }

        var isPrimary: Bool { role == .primary }

        /// `http://127.0.0.1:<api port>`: the `VAULT_ADDR` of this server.
        var apiAddress: String { "http://\(DemoLayout.host):\(apiPort)" }
        var clusterAddress: String { "\(DemoLayout.host):\(clusterPort)" }
        var configPath: String { directory + "/coffer.hcl" }
        var databasePath: String { directory + "/coffer.db" }
        var logPath: String { directory + "/server.log" }

        /// The server's configuration file: SQLite storage in its folder, one plain-HTTP
        /// listener on loopback with its cluster port, `api_addr` (which activation tokens
        /// carry) and `cluster_addr` (which secondaries dial).
        var configText: String {
            """
            # Written by `coffer demo` for the \(roleDescription) "\(name)"; removed when the demo stops.
            storage "sqlite" {
              path = \(DemoLayout.hclString(databasePath))
            }

            listener "tcp" {
              address         = "\(DemoLayout.host):\(apiPort)"
              cluster_address = "\(clusterAddress)"
              tls_disable     = true
            }

            api_addr      = "\(apiAddress)"
            cluster_addr  = "https://\(clusterAddress)"
            cluster_name  = "coffer-demo-\(name)"
            disable_mlock = true
            log_level     = "info"

            """
        }
    }

    /// Every server listens on loopback only.
    static let host = "127.0.0.1"

    /// The demo's folder; every server's folder is inside it.
    var root: String
    /// The primary first, then the secondaries in order.
    var nodes: [Node]

    init(options: DemoOptions, root: String) {
        self.root = root
        nodes = (0...options.secondaries).map { index in
            let apiPort = options.basePort + DemoOptions.portStride * index
            let role: Node.Role = index == 0 ? .primary : .secondary(index)
            let name = index == 0 ? "primary" : "secondary-\(index)"
            return Node(role: role, apiPort: apiPort, clusterPort: apiPort + 1, directory: root + "/" + name)
        }
    }

    var primary: Node { nodes[0] }
    var secondaries: ArraySlice<Node> { nodes.dropFirst() }

    /// Every port the demo binds, in order.
    var ports: [Int] { nodes.flatMap { [$0.apiPort, $0.clusterPort] } }

    /// `text` as an HCL string literal: quoted, with `\` and `"` escaped, `$` escaped (so
    /// `${` never starts an interpolation) and control characters written as escapes, so
    /// any folder name yields a valid file that reads back as the same path.
    static func hclString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "$": result += "\\u0024"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
