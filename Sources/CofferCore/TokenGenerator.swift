import Foundation

/// Random token strings (base62) and UUIDs, from the system's CSPRNG.
enum TokenGenerator {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    /// Service tokens: `hvs.` and 91 base62 characters (~541 bits), as long as Vault's.
    static let serviceTokenRandomLength = 91
    /// Accessors: 24 base62 characters (~142 bits), as Vault's.
    static let accessorLength = 24

    static func token(prefix: String, length: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for _ in 0..<length { bytes.append(alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))]) }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }

    /// A new service token value.
    static func serviceToken() -> String { token(prefix: TokenStore.servicePrefix, length: serviceTokenRandomLength) }

    /// A new accessor.
    static func accessor() -> String { token(prefix: "", length: accessorLength) }

    static func uuid() -> String { UUID().uuidString.lowercased() }
}

enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is exactly `count` lowercase hex digits (a salted id's shape).
    static func isLowercaseHex(_ text: String, count: Int) -> Bool {
        var seen = 0
        for b in text.utf8 {
            guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
            seen += 1
        }
        return seen == count
    }
}

/// RFC 3339 timestamps as Vault writes them in token lookups (`expire_time`, `issue_time`).
enum ISO8601 {
    static func string(fromUnix seconds: Int64) -> String {
        string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
