/// Comparisons of secret bytes whose running time depends only on the lengths.
enum ConstantTime {
    /// True when `a` and `b` are equal. Unequal lengths return false at once: lengths
    /// of shares and keys are public.
    static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
