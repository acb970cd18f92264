import CofferJSON
import CofferLogical

/// The TTL bounds of the token mount: the mount's tuned values, else the system's
/// (``CoreConfig/defaultLeaseTTL`` and ``CoreConfig/maxLeaseTTL``, 768h by default).
/// 0 as a maximum means "no system maximum".
struct TokenLimits: Sendable, Hashable {
    var defaultTTL: Int64
    var maxTTL: Int64

    init(defaultTTL: Int64 = 768 * 3600, maxTTL: Int64 = 768 * 3600) {
        self.defaultTTL = defaultTTL
        self.maxTTL = maxTTL
    }
}

/// How long a token lives, at creation and on each renewal. Pure: all times come in.
///
/// The effective maximum is the smallest of the mount's maximum, the role's `token_max_ttl`
/// and the token's explicit maximum; it bounds the token's whole life from `start` (its
/// creation). A periodic token gets its period (capped by that maximum) on every renewal
/// and is bounded only by its explicit maximum; any other token gets the requested
/// increment, else its own TTL, else the mount default, cut down to what is left of its
/// maximum life.
enum TokenTTL {
    struct Inputs: Sendable, Hashable {
        /// The renewal increment asked for; 0 at creation or when none was given.
        var increment: Int64 = 0
        /// The token's own TTL (requested at creation, or its creation TTL on renewal).
        var baseTTL: Int64 = 0
        var period: Int64 = 0
        var roleMaxTTL: Int64 = 0
        var explicitMaxTTL: Int64 = 0
        /// Creation time, where the maximum life is measured from.
        var start: Int64
        var now: Int64
    }

    /// The TTL to grant and the warnings to show when something was capped.
    /// - Throws: ``LogicalError`` `invalidRequest` when the token is already past its maximum life.
    static func calculate(_ inputs: Inputs, limits: TokenLimits) throws(LogicalError) -> (ttl: Int64, warnings: [String]) {
        var maxTTL = limits.maxTTL
        for bound in [inputs.roleMaxTTL, inputs.explicitMaxTTL] where bound > 0 {
            if maxTTL <= 0 || bound < maxTTL { maxTTL = bound }
        }
        var warnings: [String] = []
        var ttl: Int64
        var deadline: Int64?
        if inputs.period > 0 {
            ttl = inputs.period
            if maxTTL > 0, ttl > maxTTL {
                warnings.append("period of \"\(VaultDuration.goString(seconds: ttl))\" exceeded the effective max_ttl of \"\(VaultDuration.goString(seconds: maxTTL))\"; period value is capped accordingly")
                ttl = maxTTL
            }
            if inputs.explicitMaxTTL > 0 { deadline = inputs.start + inputs.explicitMaxTTL }
        } else {
            if inputs.increment > 0 {
                ttl = inputs.increment
            } else if inputs.baseTTL > 0 {
                ttl = inputs.baseTTL
            } else {
                ttl = limits.defaultTTL
            }
            if maxTTL > 0 { deadline = inputs.start + maxTTL }
        }
        if let deadline {
            let left = deadline - inputs.now
            guard left > 0 else { throw LogicalError.invalidRequest("past the max TTL, cannot renew") }
            if ttl > left {
                warnings.append("TTL of \"\(VaultDuration.goString(seconds: ttl))\" exceeded the effective max_ttl of \"\(VaultDuration.goString(seconds: left))\"; TTL value is capped accordingly")
                ttl = left
            }
        }
        return (ttl, warnings)
    }
}
