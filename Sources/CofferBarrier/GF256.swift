/// Arithmetic in GF(2^8) with the AES reduction polynomial x^8 + x^4 + x^3 + x + 1 (0x11b).
///
/// Every operation runs in time independent of its operands: no table lookups, no
/// branches on data. Shamir shares are secret, so a log/exp table indexed by them would
/// leak through the cache.
enum GF256 {
    /// a + b (and a - b): XOR.
    @inline(__always)
    static func add(_ a: UInt8, _ b: UInt8) -> UInt8 { a ^ b }

    /// a · b, by shift-and-add over the 8 bits of `b` with masks instead of branches.
    @inline(__always)
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a
        var b = b
        var product: UInt8 = 0
        for _ in 0..<8 {
            // mask is 0xff when the low bit of b is set, else 0x00.
            product ^= a & (0 &- (b & 1))
            // Reduce by 0x1b when the bit shifted out of a was set.
            let carry = 0 &- (a >> 7)
            a = (a << 1) ^ (0x1b & carry)
            b >>= 1
        }
        return product
    }

    /// a^-1 as a^254 (the multiplicative group has order 255), by a fixed chain of
    /// squarings and multiplications. The inverse of 0 comes out as 0.
    static func inverse(_ a: UInt8) -> UInt8 {
        // 254 = 0b11111110: square-and-multiply with a fixed schedule.
        var result: UInt8 = 1
        var power = a
        for bit in 0..<8 {
            let square = multiply(power, power)
            let withFactor = multiply(result, power)
            // Bit pattern of 254 is public, so branching on it leaks nothing.
            if (254 >> bit) & 1 == 1 { result = withFactor }
            power = square
        }
        return result
    }

    /// a / b; b must not be 0 (callers guarantee distinct x coordinates).
    @inline(__always)
    static func divide(_ a: UInt8, _ b: UInt8) -> UInt8 {
        multiply(a, inverse(b))
    }
}
