#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension UnsealProgress {
    /// Lengths a hex-encoded share may decode to for hex to win: from a 128-bit key to a
    /// 256-bit key plus its x byte.
    public static let plausibleShareLengths = 16...33
    /// The longest share accepted in any encoding; bounds work on hostile input.
    public static let maxShareLength = 256

    /// Decodes a key share as `sys/unseal` receives it: hex first, when it decodes to a
    /// plausible length (``plausibleShareLengths``), else standard base64 (padded).
    /// Returns nil when neither works or the result is empty or over ``maxShareLength``;
    /// Vault answers that with 400 "'key' must be a valid hex or base64 string".
    public static func decodeKey(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= maxShareLength * 2 + 4 else { return nil }
        if let bytes = decodeHex(text), plausibleShareLengths.contains(bytes.count) {
            return bytes
        }
        guard let data = Data(base64Encoded: text), !data.isEmpty, data.count <= maxShareLength else {
            return nil
        }
        return Array(data)
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
