/// Shamir's secret sharing over GF(2^8), byte by byte, in Vault's share format.
///
/// Each byte of the secret is the constant term of its own random polynomial of degree
/// `threshold - 1`; share *j* holds that polynomial evaluated at the share's x coordinate,
/// for every byte, followed by the x coordinate itself:
///
/// ```
///  0                                   L        L+1
///  +-----------------------------------+---------+
///  | y_0 | y_1 | ...           | y_L-1 |    x    |     L = secret length
///  +-----------------------------------+---------+
/// ```
///
/// x coordinates are distinct, non-zero and drawn at random, so a 32-byte unseal key
/// gives 33-byte shares. Any `threshold` shares give the secret back; fewer give nothing
/// about it. All field arithmetic is constant time (see `GF256`).
public enum Shamir {
    /// The largest number of shares: x coordinates are the 255 non-zero bytes.
    public static let maxShares = 255

    /// Splits `secret` into `shares` parts of which any `threshold` recover it.
    ///
    /// Rules (Vault's): `2 <= threshold <= shares <= 255`, or `shares == threshold == 1`,
    /// in which case the single share is the secret followed by a random x byte.
    /// - Parameter rng: the source of the polynomial coefficients and x coordinates. It must
    ///   be cryptographically secure outside tests; a seeded generator makes tests repeatable.
    /// - Throws: ``BarrierError`` `.invalidRequest` for an empty secret or bad counts.
    public static func split(
        secret: [UInt8], shares: Int, threshold: Int, using rng: inout some RandomNumberGenerator
    ) throws(BarrierError) -> [[UInt8]] {
        try validate(secretLength: secret.count, shares: shares, threshold: threshold)

        var xs = Array(UInt8(1)...UInt8(255))
        xs.shuffle(using: &rng)
        xs.removeLast(xs.count - shares)

        var result = xs.map { x -> [UInt8] in
            var share = [UInt8](repeating: 0, count: secret.count + 1)
            share[secret.count] = x
            return share
        }
        // coefficients[0] is the secret byte; the rest are uniformly random, zero included:
        // forcing a non-zero leading term would itself leak a little.
        var coefficients = [UInt8](repeating: 0, count: threshold)
        defer { for i in coefficients.indices { coefficients[i] = 0 } }
        for index in secret.indices {
            coefficients[0] = secret[index]
            fillRandom(&coefficients[1...], using: &rng)
            for j in result.indices {
                result[j][index] = evaluate(coefficients, at: xs[j])
            }
        }
        return result
    }

    /// ``split(secret:shares:threshold:using:)`` with the system's secure random source.
    public static func split(secret: [UInt8], shares: Int, threshold: Int) throws(BarrierError) -> [[UInt8]] {
        var rng = SystemRandomNumberGenerator()
        return try split(secret: secret, shares: shares, threshold: threshold, using: &rng)
    }

    /// Recovers the secret from two or more shares of one split, in any order.
    ///
    /// Shares from different splits, or fewer than the threshold, give a wrong secret
    /// rather than an error: the format cannot tell. The caller detects that when the
    /// recovered key fails to open what it protects.
    /// - Throws: ``BarrierError`` `.invalidShares` for fewer than two shares, shares shorter
    ///   than two bytes, shares of different lengths, or two shares with the same x.
    public static func combine(_ shares: [[UInt8]]) throws(BarrierError) -> [UInt8] {
        guard shares.count >= 2 else {
            throw BarrierError(.invalidShares, "at least two shares are required to combine")
        }
        guard shares.count <= maxShares else {
            throw BarrierError(.invalidShares, "more than \(maxShares) shares")
        }
        let length = shares[0].count
        guard length >= 2 else {
            throw BarrierError(.invalidShares, "shares must be at least two bytes long")
        }
        for share in shares where share.count != length {
            throw BarrierError(.invalidShares, "all shares must have the same length")
        }
        let xs = shares.map { $0[length - 1] }
        guard Set(xs).count == xs.count else {
            throw BarrierError(.invalidShares, "duplicate share")
        }

        // Lagrange basis polynomials evaluated at 0: l_i = prod_{j != i} x_j / (x_j - x_i).
        let basis = xs.indices.map { i in
            var numerator: UInt8 = 1
            var denominator: UInt8 = 1
            for j in xs.indices where j != i {
                numerator = GF256.multiply(numerator, xs[j])
                denominator = GF256.multiply(denominator, GF256.add(xs[j], xs[i]))
            }
            return GF256.divide(numerator, denominator)
        }
        var secret = [UInt8](repeating: 0, count: length - 1)
        for index in secret.indices {
            var value: UInt8 = 0
            for i in shares.indices {
                value ^= GF256.multiply(shares[i][index], basis[i])
            }
            secret[index] = value
        }
        return secret
    }

    /// Recovers the secret of a split made with `threshold`, including the 1-of-1 case
    /// that ``combine(_:)`` cannot see (one share: the secret is the share minus its x byte).
    /// - Throws: ``BarrierError`` `.invalidShares` when fewer than `threshold` shares are
    ///   given, or as ``combine(_:)`` does.
    public static func combine(_ shares: [[UInt8]], threshold: Int) throws(BarrierError) -> [UInt8] {
        guard threshold >= 1, shares.count >= threshold else {
            throw BarrierError(.invalidShares, "need \(threshold) shares, got \(shares.count)")
        }
        if shares.count == 1 {
            guard shares[0].count >= 2 else {
                throw BarrierError(.invalidShares, "shares must be at least two bytes long")
            }
            return Array(shares[0].dropLast())
        }
        return try combine(shares)
    }

    /// Vault's rules for share counts, with its messages.
    static func validate(secretLength: Int, shares: Int, threshold: Int) throws(BarrierError) {
        guard secretLength > 0 else { throw BarrierError(.invalidRequest, "cannot split an empty secret") }
        guard shares >= 1 else { throw BarrierError(.invalidRequest, "shares must be at least one") }
        guard threshold >= 1 else { throw BarrierError(.invalidRequest, "threshold must be at least one") }
        guard shares <= maxShares else { throw BarrierError(.invalidRequest, "shares must be less than 256") }
        guard threshold <= shares else {
            throw BarrierError(.invalidRequest, "threshold cannot be larger than shares")
        }
        guard threshold > 1 || shares == 1 else {
            throw BarrierError(.invalidRequest, "threshold must be greater than one for multiple shares")
        }
    }

    /// p(x) by Horner's rule; `coefficients[0]` is the constant term.
    @inline(__always)
    static func evaluate(_ coefficients: [UInt8], at x: UInt8) -> UInt8 {
        var value: UInt8 = 0
        for coefficient in coefficients.reversed() {
            value = GF256.add(GF256.multiply(value, x), coefficient)
        }
        return value
    }

    static func fillRandom(_ bytes: inout ArraySlice<UInt8>, using rng: inout some RandomNumberGenerator) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var word = rng.next()
            for _ in 0..<8 where index < bytes.endIndex {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
    }
}
