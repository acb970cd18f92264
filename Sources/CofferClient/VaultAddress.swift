/// A parsed server address: `http(s)://host[:port][/base]`.
///
/// Kept apart from URL types so that messages can name `host:port` the way Go does
/// (`dial tcp 127.0.0.1:8200: ...`) with the default port filled in.
struct VaultAddress: Sendable, Equatable {
    var scheme: String
    /// Host as written; IPv6 literals keep their brackets.
    var host: String
    var port: Int
    /// Path prefix without a trailing slash ("" for none).
    var basePath: String

    init(parsing text: String) throws(VaultClientError) {
        let trimmed = text.trimmingWhitespace()
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw VaultClientError(.invalidAddress, "invalid address \"\(text)\": missing scheme (use http:// or https://)")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw VaultClientError(.invalidAddress, "invalid address \"\(text)\": unsupported scheme \"\(scheme)\" (use http or https)")
        }
        let rest = trimmed[schemeEnd.upperBound...]
        let authority: Substring
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[slash...]
        } else {
            authority = rest
            path = ""
        }
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains("?"), !authority.contains("#") else {
            throw VaultClientError(.invalidAddress, "invalid address \"\(text)\": expected \(scheme)://host[:port]")
        }
        var host = String(authority)
        var port = scheme == "https" ? 443 : 80
        let portSeparator: String.Index?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw VaultClientError(.invalidAddress, "invalid address \"\(text)\": unterminated IPv6 literal")
            }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            portSeparator = after.isEmpty ? nil : after.startIndex
            if let sep = portSeparator, authority[sep] != ":" {
                throw VaultClientError(.invalidAddress, "invalid address \"\(text)\": expected \(scheme)://host[:port]")
            }
        } else {
            portSeparator = authority.lastIndex(of: ":")
            if let sep = portSeparator { host = String(authority[..<sep]) }
        }
        if let sep = portSeparator {
            let digits = authority[authority.index(after: sep)...]
            guard let value = Int(digits), (1...65535).contains(value) else {
                throw VaultClientError(.invalidAddress, "invalid address \"\(text)\": invalid port \"\(digits)\"")
            }
            port = value
        }
        guard !host.isEmpty else {
            throw VaultClientError(.invalidAddress, "invalid address \"\(text)\": missing host")
        }
        var base = String(path)
        while base.hasSuffix("/") { base.removeLast() }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = base
    }

    /// `host:port`, as Go prints the dial target.
    var hostAndPort: String { "\(host):\(port)" }

    /// `scheme://host:port/base/v1/<escaped path>[?query]`.
    func url(apiPath: String, query: [(String, String)]) -> String {
        var path = Substring(apiPath)
        while path.hasPrefix("/") { path = path.dropFirst() }
        var url = "\(scheme)://\(host):\(port)\(basePath)/v1/\(VaultAddress.escapePath(path))"
        if !query.isEmpty { url += "?" + VaultAddress.encodeQuery(query) }
        return url
    }

    /// Percent-encodes a path the way Go's `url.URL.EscapedPath` does: unreserved characters
    /// and `/ $ & + , : ; = @` stay, everything else (including `%`) is escaped.
    static func escapePath(_ path: some StringProtocol) -> String {
        percentEncode(path) { byte in isUnreserved(byte) || "/$&+,:;=@".utf8.contains(byte) }
    }

    /// `application/x-www-form-urlencoded`, sorted by key (stable for repeated keys) as Go's
    /// `url.Values.Encode` does; spaces become `+`.
    static func encodeQuery(_ items: [(String, String)]) -> String {
        let sorted = items.enumerated().sorted { lhs, rhs in
            lhs.element.0 == rhs.element.0 ? lhs.offset < rhs.offset : lhs.element.0 < rhs.element.0
        }
        return sorted.map { "\(queryEscape($0.element.0))=\(queryEscape($0.element.1))" }.joined(separator: "&")
    }

    static func queryEscape(_ text: String) -> String {
        percentEncode(text) { isUnreserved($0) }.replacing("%20", with: "+")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func percentEncode(_ text: some StringProtocol, keeping keep: (UInt8) -> Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Drops leading and trailing white space and line breaks, as Go's `strings.TrimSpace`.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
