/// A cluster listener's address: a host (IPv4, IPv6 or DNS name) and a TCP port.
///
/// Parses what Vault advertises as `cluster_addr` / `primary_cluster_addr`:
/// `host:port`, `[ipv6]:port`, each optionally prefixed with `https://` (the scheme is
/// informational: the link is always TLS). No path, query or user part is accepted.
public struct ClusterAddress: Sendable, Hashable, CustomStringConvertible {
    /// The kind of host, which decides how it is resolved and how it appears in a
    /// certificate's subject alternative names.
    public enum HostKind: Sendable, Hashable {
        case ipv4
        case ipv6
        case dns
    }

    /// The host without brackets: `10.0.0.5`, `::1`, `vault-a.internal`.
    public let host: String
    public let port: Int
    public let hostKind: HostKind

    /// - Throws: ``ClusterError/Code/invalidAddress`` for an empty host, a port outside
    ///   1...65535, or a host that is neither an IP literal nor a DNS name.
    public init(host: String, port: Int) throws(ClusterError) {
        guard (1...65_535).contains(port) else {
            throw ClusterError(.invalidAddress, "port \(port) is out of range")
        }
        guard let kind = Self.kind(of: host) else {
            throw ClusterError(.invalidAddress, "\"\(host)\" is not an IP address or DNS name")
        }
        self.host = host
        self.port = port
        self.hostKind = kind
    }

    /// Parses `host:port`, `[v6]:port` or `https://` followed by either.
    public init(parsing text: String) throws(ClusterError) {
        var rest = Substring(text)
        if let schemeEnd = rest.range(of: "://") {
            guard rest[..<schemeEnd.lowerBound].lowercased() == "https" else {
                throw ClusterError(.invalidAddress, "\"\(text)\": only https:// cluster addresses are supported")
            }
            rest = rest[schemeEnd.upperBound...]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }

        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"),
                  rest[rest.index(after: close)...].hasPrefix(":")
            else {
                throw ClusterError(.invalidAddress, "\"\(text)\" is not [ipv6]:port")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":"), !rest[..<colon].contains(":") else {
                throw ClusterError(.invalidAddress, "\"\(text)\" is not host:port")
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText) else {
            throw ClusterError(.invalidAddress, "\"\(text)\" has no valid port")
        }
        if Self.kind(of: String(host)) == .ipv6, !rest.hasPrefix("[") {
            throw ClusterError(.invalidAddress, "\"\(text)\": write IPv6 hosts as [host]:port")
        }
        try self.init(host: String(host), port: port)
    }

    /// `host:port`, with IPv6 hosts in brackets.
    public var description: String {
        hostKind == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static func kind(of host: String) -> HostKind? {
        if IPAddressBytes.ipv4(host) != nil { return .ipv4 }
        if IPAddressBytes.ipv6(host) != nil { return .ipv6 }
        return isDNSName(host) ? .dns : nil
    }

    /// RFC 1123 host names: dot-separated labels of letters, digits and hyphens, 1-63
    /// bytes each, 253 in all, no label starting or ending with a hyphen.
    static func isDNSName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard (1...63).contains(label.count),
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return false }
            return label.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-")
            }
        }
    }
}
