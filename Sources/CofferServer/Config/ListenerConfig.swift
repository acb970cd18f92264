/// One `listener "tcp" { ... }` stanza.
///
/// ```hcl
/// listener "tcp" {
///   address         = "0.0.0.0:8200"   # default 127.0.0.1:8200
///   cluster_address = "0.0.0.0:8201"   # default: same host, port + 1
///   tls_cert_file   = "/etc/coffer/tls.crt"
///   tls_key_file    = "/etc/coffer/tls.key"
///   # or: tls_disable = true
/// }
/// ```
public struct ListenerConfig: Sendable, Equatable {
    /// How the listener serves: TLS from PEM files, or plain HTTP.
    public enum TLS: Sendable, Equatable {
        /// Plain HTTP (`tls_disable` set).
        case disabled
        /// TLS with a PEM certificate chain and private key.
        case enabled(certFile: String, keyFile: String)
    }

    /// Vault's default API address.
    public static let defaultAddress = "127.0.0.1:8200"

    /// `host:port` to serve the API on; validated, so ``host`` and ``port`` are defined.
    public var address: String
    /// `host:port` for cluster (replication) traffic.
    public var clusterAddress: String
    public var tls: TLS

    /// Creates a listener; `clusterAddress` defaults to `address` with the port plus one
    /// (or `address` itself if that cannot be derived).
    public init(address: String = defaultAddress, clusterAddress: String? = nil, tls: TLS) {
        self.address = address
        self.clusterAddress = clusterAddress ?? Self.defaultClusterAddress(for: address) ?? address
        self.tls = tls
    }

    /// The host part of ``address`` without IPv6 brackets (`"::"` for `"[::]:8200"`);
    /// empty means every interface, as in Go.
    public var host: String { Self.splitHostPort(address)?.host ?? "" }

    /// The port of ``address``.
    public var port: Int { Self.splitHostPort(address)?.port ?? 0 }

    public var tlsCertFile: String? {
        if case .enabled(let certFile, _) = tls { return certFile }
        return nil
    }

    public var tlsKeyFile: String? {
        if case .enabled(_, let keyFile) = tls { return keyFile }
        return nil
    }

    /// `address` with the port plus one, as Vault derives a listener's cluster address;
    /// nil if `address` is not `host:port` or the port is 65535. Port 0 (pick any) stays 0.
    public static func defaultClusterAddress(for address: String) -> String? {
        guard let (host, port) = splitHostPort(address), port < 65535 else { return nil }
        let clusterPort = port == 0 ? 0 : port + 1
        return host.contains(":") ? "[\(host)]:\(clusterPort)" : "\(host):\(clusterPort)"
    }

    /// Splits `host:port` (`[v6]:port` for IPv6) like Go's `net.SplitHostPort`, and
    /// checks the port is a number in 0...65535.
    public static func splitHostPort(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        var host = address[..<colon]
        let portText = address[address.index(after: colon)...]
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count >= 2 else { return nil }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") || host.contains("[") || host.contains("]") {
            return nil
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
            let port = Int(portText), port <= 65535
        else { return nil }
        return (String(host), port)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
