import CofferLogical

/// An IPv4 or IPv6 address, held as 16 bytes with IPv4 in its IPv4-mapped form
/// (`::ffff:a.b.c.d`), so an IPv4 block and an IPv4-mapped client address compare as
/// one (as Go's `net.IPNet.Contains` does).
public struct IPAddress: Sendable, Hashable {
    public internal(set) var bytes: [UInt8]

    /// Whether the address came from (or maps to) IPv4.
    public var isIPv4: Bool {
        bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
    }

    /// Parses a dotted quad (no leading zeros, as Go rejects them) or an IPv6 address
    /// (with `::` and an optional trailing dotted quad; no zone). Nil for anything else.
    init?(_ text: Substring) {
        if let v4 = Self.parseIPv4(text) {
            bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + v4
        } else if let v6 = Self.parseIPv6(text) {
            bytes = v6
        } else {
            return nil
        }
    }

    public init?(_ text: String) {
        self.init(Substring(text))
    }

    /// A client address as it may arrive from the transport: a bare address,
    /// `a.b.c.d:port`, or `[v6]:port`.
    public init?(remote text: String) {
        if let direct = IPAddress(text) {
            self = direct
            return
        }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            self.init(text[text.index(after: text.startIndex)..<close])
            return
        }
        if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            self.init(text[..<colon])
            return
        }
        return nil
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            guard part.count == 1 || part.first != "0", let value = Int(part), value <= 255 else { return nil }
            out.append(UInt8(value))
        }
        return out
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = Self.splitOnDoubleColon(text)
        guard halves.count <= 2 else { return nil }
        guard let head = parseGroups(halves[0], allowIPv4Tail: halves.count == 1) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = parseGroups(halves[1], allowIPv4Tail: true) else { return nil }
        // "::" stands for at least one group of zeros.
        guard head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// `text` cut at each `::` (a `:::` run yields an empty middle part, rejected later).
    private static func splitOnDoubleColon(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":", next < text.endIndex, text[next] == ":" {
                parts.append(text[start..<index])
                start = text.index(after: next)
                index = start
            } else {
                index = next
            }
        }
        parts.append(text[start...])
        return parts
    }

    /// Colon-separated hex groups (each 1-4 digits), the last of which may be a dotted quad.
    private static func parseGroups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        var out: [UInt8] = []
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, allowIPv4Tail, group.contains(".") {
                guard let v4 = parseIPv4(group) else { return nil }
                out += v4
                continue
            }
            guard (1...4).contains(group.count), let value = UInt16(group, radix: 16), group.allSatisfy(\.isHexDigit) else {
                return nil
            }
            out.append(UInt8(value >> 8))
            out.append(UInt8(value & 0xff))
        }
        return out.count <= 16 ? out : nil
    }
}

/// An address block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a block
/// of one. Host bits past the prefix are ignored, as Go's `net.ParseCIDR` masks them.
public struct CIDRBlock: Sendable, Hashable {
    var network: IPAddress
    /// Prefix length over the 16-byte form (IPv4 prefixes are stored plus 96).
    var prefixLength: Int

    public init?(_ text: String) {
        let trimmed = Whitespace.trim(text)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(parts[0]) else { return nil }
        let width = address.isIPv4 && !parts[0].contains(":") ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 3,
                  let given = Int(parts[1]), given <= width
            else { return nil }
            length = given
        }
        prefixLength = length + (128 - width)
        network = Self.masked(address, prefixLength)
    }

    public func contains(_ address: IPAddress) -> Bool {
        Self.masked(address, prefixLength) == network
    }

    /// Whether every address of `other` lies in this block.
    public func contains(_ other: CIDRBlock) -> Bool {
        other.prefixLength >= prefixLength && contains(other.network)
    }

    private static func masked(_ address: IPAddress, _ prefix: Int) -> IPAddress {
        var result = address
        for index in 0..<16 {
            let bitsHere = min(max(prefix - index * 8, 0), 8)
            let mask: UInt8 = bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
            result.bytes[index] &= mask
        }
        return result
    }
}

/// Parsing and checking the CIDR lists that roles and users carry.
public enum CIDRList {
    /// Validates every entry of `texts` (trimmed); the 400 names the field and the bad
    /// entry (CIDRs are configuration, not secrets).
    public static func parse(_ texts: [String], field: String) throws -> [String] {
        var out: [String] = []
        for raw in texts {
            let text = Whitespace.trim(raw)
            if text.isEmpty { continue }
            guard CIDRBlock(text) != nil else {
                throw LogicalError.invalidRequest("invalid CIDR block \"\(text)\" in \(field)")
            }
            out.append(text)
        }
        return out
    }

    /// Whether `remote` (a client address) lies in one of `blocks`. An empty list allows
    /// everything; an address missing or unparsable never matches a non-empty list.
    public static func allows(_ remote: String?, _ blocks: [String]) -> Bool {
        if blocks.isEmpty { return true }
        guard let remote, let address = IPAddress(remote: remote) else { return false }
        return blocks.contains { CIDRBlock($0)?.contains(address) ?? false }
    }
}

/// Trimming without Foundation.
public enum Whitespace {
    public static func trim(_ text: some StringProtocol) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
