public import CofferCore
import CofferLogical
import Crypto
import Foundation
import Synchronization

/// Client-controlled consistency (Vault's `X-Vault-Index`, `X-Vault-Inconsistent`,
/// `X-Vault-Forward`, plus Coffer's staleness bound) and the headers answers carry.
///
/// A state is `base64("v1:<cluster id>:<local index>:<replicated index>:<hmac>")`, the
/// layout Vault's clients parse. The HMAC (SHA-256, hex) is keyed by a random key kept in
/// a replicated record, so every member of the set can verify the states any other
/// member issued and nobody else can forge one. Coffer has no separate local index: it
/// is always 0.
extension ReplicationManager {
    static let indexKeyKey = "core/cluster/replicated/index-hmac"

    /// Response header names.
    static let appliedIndexHeader = "X-Coffer-Replication-Index"
    static let lagHeader = "X-Coffer-Replication-Lag-Ms"

    /// Loads (or, on a primary, creates) the state-signing key.
    func loadIndexKey(create: Bool) async {
        do {
            if let bytes = try await core.readReplicated(Self.indexKeyKey), bytes.count == 32 {
                indexKey.withLock { $0 = StateSigner(SymmetricKey(data: bytes)) }
            } else if create {
                let key = SymmetricKey(size: .bits256)
                try await core.writeReplicated(Self.indexKeyKey, key.withUnsafeBytes { Array($0) })
                indexKey.withLock { $0 = StateSigner(key) }
            }
        } catch {
            logger.warning("replication: cannot load the consistency state key", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// The state string for `replicated`, or nil without a key.
    func encodeState(replicated: UInt64) -> String? {
        guard let signer = indexKey.withLock({ $0 }) else { return nil }
        let clusterID = state.withLock { $0.clusterID }
        let body = "v1:\(clusterID):0:\(replicated)"
        let mac = signer.code(for: Array(body.utf8))
        // Every write's answer carries a state: hex by table, not String(format:) (which
        // cost tens of microseconds per answer).
        var text = Array(body.utf8)
        text.reserveCapacity(text.count + 65)
        text.append(UInt8(ascii: ":"))
        for byte in mac {
            text.append(Self.hexDigits[Int(byte >> 4)])
            text.append(Self.hexDigits[Int(byte & 0x0f)])
        }
        return Data(text).base64EncodedString()
    }

    /// Parses and verifies a state; its replicated index. Throws 400 for a state this set
    /// did not issue (bad encoding or HMAC) and 412 for another set's.
    func decodeState(_ text: String) async throws -> UInt64 {
        let invalid = LogicalError.invalidRequest("X-Vault-Index holds no state this replication set issued")
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)), data.count < 512,
              let decoded = String(data: data, encoding: .utf8)
        else { throw invalid }
        let parts = decoded.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "v1", let replicated = UInt64(parts[3]), UInt64(parts[2]) != nil else { throw invalid }
        if indexKey.withLock({ $0 }) == nil { await loadIndexKey(create: false) }
        guard let signer = indexKey.withLock({ $0 }) else { throw LogicalError.missingRequiredState }
        let body = parts[0...3].joined(separator: ":")
        guard let given = Self.bytes(hex: String(parts[4])),
              signer.isValid(given, for: Array(body.utf8))
        else { throw invalid }
        guard String(parts[1]) == state.withLock({ $0.clusterID }) else { throw LogicalError.missingRequiredState }
        return replicated
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// The state key with its HMAC already keyed: every write's answer signs a state, and
    /// keying (two SHA-256 blocks of padded key) is then done once, not per answer.
    struct StateSigner: Sendable {
        private let keyed: HMAC<SHA256>

        init(_ key: SymmetricKey) {
            keyed = HMAC<SHA256>(key: key)
        }

        func code(for body: [UInt8]) -> HMAC<SHA256>.MAC {
            var mac = keyed
            mac.update(data: body)
            return mac.finalize()
        }

        /// Compares in constant time (the MAC type's equality does).
        func isValid(_ given: [UInt8], for body: [UInt8]) -> Bool {
            guard given.count == SHA256.byteCount else { return false }
            return code(for: body) == given
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public func checkConsistency(_ request: ConsistencyRequest, allowForwarding: Bool, waitMillis: Int64) async throws -> ConsistencyDecision {
        var required: UInt64 = 0
        for text in request.requiredStates {
            required = max(required, try await decodeState(text))
        }
        switch mode {
        case .primary:
            // Every state of this set is the primary's own, unless it came from a later primary.
            if required > (core.replicationLog?.lastIndex ?? 0) { throw LogicalError.missingRequiredState }
            return .serveLocally
        case .secondary:
            break
        default:
            return .serveLocally
        }
        let forwardAllowed = allowForwarding && !state.withLock({ $0.demoted })
        if request.wantsForwardAlways && forwardAllowed { return .forwardToPrimary }
        if required > gate.appliedIndex {
            if request.wantsForwardWhenBehind && forwardAllowed { return .forwardToPrimary }
            guard await gate.waiters.wait(for: required, millis: waitMillis) else { throw LogicalError.missingRequiredState }
        }
        if let bound = request.maxStalenessMillis {
            var lag = secondaryLag()
            if lag.millis > bound {
                if request.wantsForwardWhenBehind && forwardAllowed { return .forwardToPrimary }
                if lag.entries > 0 {
                    _ = await gate.waiters.wait(for: lag.applied + lag.entries, millis: waitMillis)
                    lag = secondaryLag()
                }
                guard lag.millis <= bound else {
                    throw LogicalError(.missingRequiredState, [
                        "this secondary is \(lag.millis) ms behind its primary, more than the \(bound) ms X-Coffer-Max-Staleness-Ms allows",
                    ])
                }
            }
        }
        return .serveLocally
    }

    public func responseHeaders(wrote: Bool, recordState: Bool) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        switch mode {
        case .primary:
            if wrote || recordState, let text = encodeState(replicated: core.replicationLog?.lastIndex ?? 0) {
                headers.append(("X-Vault-Index", text))
            }
        case .secondary:
            let lag = secondaryLag()
            // After a forwarded write the primary's index is known to cover it.
            let index = wrote ? lag.applied + lag.entries : lag.applied
            if wrote || recordState, let text = encodeState(replicated: index) {
                headers.append(("X-Vault-Index", text))
            }
            headers.append((Self.appliedIndexHeader, String(lag.applied)))
            headers.append((Self.lagHeader, String(lag.millis)))
        default:
            break
        }
        return headers
    }
}
