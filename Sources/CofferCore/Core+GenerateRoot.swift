import CofferBarrier
import CofferLogical
import CofferStorage
import Crypto
import Foundation

/// What `sys/generate-root/attempt` and `/update` report (vault-core-api.md §5).
///
/// ``otp`` is filled only in the answer that started an attempt with a server-generated
/// one-time password; ``encodedToken`` only in the answer that completed one. Both are
/// secrets (the encoded token is the root token to whoever holds the OTP), so the type
/// prints redacted.
public struct RootGenerationStatus: Sendable, Equatable {
    /// Whether an attempt is in progress (in an update answer: was, until this share).
    public var started: Bool
    /// The attempt's identifier; every share must be sent with it. Empty when idle.
    public var nonce: String
    /// Distinct key shares given in this attempt.
    public var progress: Int
    /// Shares needed: the current unseal threshold.
    public var required: Int
    /// True in the answer to the share that completed the attempt.
    public var complete: Bool
    /// Standard base64, unpadded, of the new root token XOR the OTP.
    public var encodedToken: String
    /// The server-generated OTP, in the starting answer only.
    public var otp: String
    /// Length an OTP must have: the length of the root token it will encode.
    public var otpLength: Int
}

extension RootGenerationStatus: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "RootGenerationStatus(started: \(started), progress: \(progress)/\(required), complete: \(complete), "
            + "encodedToken: \(encodedToken.isEmpty ? "none" : "<redacted>"), otp: \(otp.isEmpty ? "none" : "<redacted>"))"
    }
    public var debugDescription: String { description }
}

/// An in-progress `sys/generate-root` attempt: the pure core of root token generation.
///
/// Created by ``Core/startRootGeneration(otp:pgpKey:)``; each key share goes to
/// ``submit(share:nonce:)``, whose ``Action`` says whether to report progress or to combine
/// the collected shares. Reaching the threshold empties the collected shares whatever the
/// combination turns out to be; the attempt itself (nonce and OTP) stays until it completes
/// or is cancelled, as in Vault. Unlike `sys/unseal`, a repeated share is an error. Holds the
/// OTP and shares, so it prints redacted. Lives in memory only and is dropped on seal.
struct RootGenerationAttempt: Sendable {
    typealias Action = UnsealProgress.Action

    let nonce: String
    /// The one-time password the new token is XOR'd with (bytes of its UTF-8 text).
    let otp: [UInt8]
    private var shares: UnsealProgress

    init(otp: [UInt8], threshold: Int, nonce: String = UnsealProgress.makeNonce()) {
        self.nonce = nonce
        self.otp = otp
        self.shares = UnsealProgress(threshold: threshold, nonce: nonce)
    }

    var progress: Int { shares.progress }
    var threshold: Int { shares.threshold }

    /// Records one share of the current unseal key.
    /// - Throws: ``LogicalError`` `invalidRequest` for a nonce other than ``nonce`` or a share
    ///   already given in this attempt (nothing is recorded then).
    mutating func submit(share: [UInt8], nonce: String) throws(LogicalError) -> Action {
        guard nonce == self.nonce else {
            throw LogicalError.invalidRequest(
                "incorrect nonce supplied; nonce for this root generation operation is \"\(self.nonce)\"")
        }
        let before = shares.progress
        let action = shares.submit(share: share, nextNonce: self.nonce)
        if case .progress(let count) = action, count == before {
            throw LogicalError.invalidRequest("given key has already been provided during this generation operation")
        }
        return action
    }

    /// Forgets the collected shares and counts to `threshold` from now on (the unseal key
    /// changed under the attempt: shares of the old one are useless).
    mutating func restartProgress(threshold: Int) {
        shares.reset(nonce: nonce)
        shares = UnsealProgress(threshold: threshold, nonce: nonce)
    }
}

extension RootGenerationAttempt: CustomStringConvertible, CustomReflectable {
    var description: String {
        "RootGenerationAttempt(nonce: \(nonce), progress: \(progress)/\(threshold), otp: <redacted>)"
    }
    var customMirror: Mirror {
        Mirror(self, children: ["nonce": nonce, "progress": progress, "threshold": threshold], displayStyle: .struct)
    }
}

extension Core {
    /// Random base62 characters after the `hvs.` prefix of a generated root token.
    static let generatedRootTokenRandomLength = 24
    /// The length of a generated root token, hence of every generate-root OTP: 28, as for
    /// Vault ≥ 1.10 (hvac sends a fixed 28-character OTP).
    public static let rootTokenOTPLength = TokenStore.servicePrefix.utf8.count + generatedRootTokenRandomLength

    // MARK: status

    /// `GET sys/generate-root/attempt`.
    /// - Throws: ``LogicalError`` `sealed` while sealed; `invalidRequest` before init.
    public func rootGenerationStatus() async throws -> RootGenerationStatus {
        let sealConfig = try await keyOperationSealConfig()
        let attempt = rootGeneration.withLock { $0 }
        return Self.rootGenerationStatus(attempt, required: sealConfig.secretThreshold)
    }

    static func rootGenerationStatus(_ attempt: RootGenerationAttempt?, required: Int) -> RootGenerationStatus {
        RootGenerationStatus(
            started: attempt != nil, nonce: attempt?.nonce ?? "", progress: attempt?.progress ?? 0,
            required: required, complete: false, encodedToken: "", otp: "", otpLength: rootTokenOTPLength
        )
    }

    // MARK: start, cancel

    /// `PUT sys/generate-root/attempt`: starts an attempt. Without an OTP the server makes one
    /// (base62, ``rootTokenOTPLength`` characters) and returns it, once, in ``RootGenerationStatus/otp``.
    /// - Parameters:
    ///   - otp: exactly ``rootTokenOTPLength`` bytes; nil or empty to have one generated.
    ///   - pgpKey: must be nil or empty: PGP encryption of the token is not implemented.
    /// - Throws: ``LogicalError`` `invalidRequest` for a PGP key, an OTP of the wrong length or
    ///   an attempt already in progress; `sealed` while sealed.
    public func startRootGeneration(otp: String?, pgpKey: String?) async throws -> RootGenerationStatus {
        if let pgpKey, !pgpKey.isEmpty {
            throw LogicalError.invalidRequest(
                "pgp_key is not supported: PGP encryption of the root token is not implemented; use an OTP instead")
        }
        let generated: String?
        let otpText: String
        if let otp, !otp.isEmpty {
            guard otp.utf8.count == Self.rootTokenOTPLength else {
                throw LogicalError.invalidRequest(
                    "OTP string is wrong length: it must be \(Self.rootTokenOTPLength) characters, the length of a root token")
            }
            generated = nil
            otpText = otp
        } else {
            otpText = TokenGenerator.token(prefix: "", length: Self.rootTokenOTPLength)
            generated = otpText
        }
        return try await lifecycle.run {
            let sealConfig = try await keyOperationSealConfig()
            let attempt = try rootGeneration.withLock { current throws(LogicalError) -> RootGenerationAttempt in
                guard current == nil else { throw LogicalError.invalidRequest("root generation already in progress") }
                let attempt = RootGenerationAttempt(otp: Array(otpText.utf8), threshold: sealConfig.secretThreshold)
                current = attempt
                return attempt
            }
            logger.info("core: root token generation started", metadata: ["nonce": "\(attempt.nonce)"])
            var status = Self.rootGenerationStatus(attempt, required: sealConfig.secretThreshold)
            status.otp = generated ?? ""
            return status
        }
    }

    /// `DELETE sys/generate-root/attempt`: drops any attempt and its shares. Idempotent.
    /// - Throws: ``LogicalError`` `sealed` while sealed.
    public func cancelRootGeneration() async throws {
        try await lifecycle.run {
            _ = try await keyOperationSealConfig()
            let cancelled = rootGeneration.withLock { attempt -> Bool in
                defer { attempt = nil }
                return attempt != nil
            }
            if cancelled { logger.info("core: root token generation cancelled") }
        }
    }

    // MARK: update

    /// `PUT sys/generate-root/update`: one share of the current unseal key. At the threshold
    /// the shares are combined and checked against the stored root key; when they open it, a
    /// new root token (``rootTokenOTPLength`` characters, no expiry) is created and returned
    /// XOR'd with the OTP, and the attempt ends.
    /// - Throws: ``LogicalError`` `invalidRequest` for a share of implausible length, no
    ///   attempt, a wrong nonce, a repeated share, or shares that do not reconstruct the unseal
    ///   key (the attempt stays, with no shares); `sealed` while sealed.
    public func updateRootGeneration(share: [UInt8], nonce: String) async throws -> RootGenerationStatus {
        try Self.checkShareLength(share)
        return try await lifecycle.run {
            let sealConfig = try await keyOperationSealConfig()
            guard let active else { throw LogicalError.sealed }
            let (action, otp) = try rootGeneration.withLock { attempt throws(LogicalError) in
                guard var current = attempt else { throw LogicalError.invalidRequest("no root generation in progress") }
                defer { attempt = current }
                return (try current.submit(share: share, nonce: nonce), current.otp)
            }
            let shares: [[UInt8]]
            switch action {
            case .progress(let count):
                return RootGenerationStatus(
                    started: true, nonce: nonce, progress: count, required: sealConfig.secretThreshold,
                    complete: false, encodedToken: "", otp: "", otpLength: 0)
            case .combine(let collected):
                shares = collected
            }
            guard try await isCurrentUnsealKey(shares: shares, threshold: sealConfig.secretThreshold) else {
                logger.warning("core: root token generation aborted: the key shares did not reconstruct the unseal key")
                throw LogicalError.invalidRequest(
                    "root generation aborted: the key shares do not reconstruct this Vault's unseal key")
            }
            let tokenID = TokenGenerator.token(prefix: TokenStore.servicePrefix, length: Self.generatedRootTokenRandomLength)
            let token = try await active.tokens.createRootToken(id: tokenID).token
            guard let encoded = Self.encodeRootToken(token, otp: otp) else {
                throw LogicalError(.internalError, "internal error",
                    cause: KeyOperationFailure(what: "the generated root token and the OTP differ in length"))
            }
            rootGeneration.withLock { $0 = nil }
            logger.info("core: root token generation finished", metadata: ["nonce": "\(nonce)"])
            return RootGenerationStatus(
                started: true, nonce: nonce, progress: sealConfig.secretThreshold, required: sealConfig.secretThreshold,
                complete: true, encodedToken: encoded, otp: "", otpLength: 0)
        }
    }

    // MARK: helpers

    /// The token as the client receives it: standard base64 without padding of
    /// `token XOR otp` (byte by byte; both are UTF-8). Nil when the lengths differ.
    static func encodeRootToken(_ token: String, otp: [UInt8]) -> String? {
        let tokenBytes = Array(token.utf8)
        guard tokenBytes.count == otp.count else { return nil }
        var mixed = [UInt8](repeating: 0, count: otp.count)
        for index in mixed.indices { mixed[index] = tokenBytes[index] ^ otp[index] }
        var text = Data(mixed).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// The seal configuration for an operation that needs the server unsealed
    /// (generate-root, rekey).
    /// - Throws: ``LogicalError`` `invalidRequest` before init, `sealed` while sealed.
    func keyOperationSealConfig() async throws -> SealConfig {
        guard let sealConfig = try await loadSealConfig() else {
            throw LogicalError.invalidRequest("server is not yet initialized")
        }
        guard active != nil else { throw LogicalError.sealed }
        return sealConfig
    }

    /// Shares of a 256-bit unseal key are 33 bytes; Vault accepts 16 to 33 (a 128-bit key
    /// plus its x byte at least).
    static let keyShareLengths = 16...33

    static func checkShareLength(_ share: [UInt8]) throws(LogicalError) {
        if share.count < keyShareLengths.lowerBound {
            throw LogicalError.invalidRequest("key is shorter than minimum \(keyShareLengths.lowerBound) bytes")
        }
        if share.count > keyShareLengths.upperBound {
            throw LogicalError.invalidRequest("key is longer than maximum \(keyShareLengths.upperBound) bytes")
        }
    }

    /// Whether `shares` combine to the key that opens the stored root key. Reads the sealed
    /// root-key blob and tries to open it (AES-GCM: only the right key authenticates); the
    /// barrier and its keyring are untouched. Call under the lifecycle gate, so that no rekey
    /// replaces the blob meanwhile.
    func isCurrentUnsealKey(shares: [[UInt8]], threshold: Int) async throws -> Bool {
        var key: [UInt8]
        do {
            key = try Shamir.combine(shares, threshold: threshold)
        } catch {
            return false
        }
        defer { for index in key.indices { key[index] = 0 } }
        guard key.count == SecurityBarrier.unsealKeySize else { return false }
        guard let blob = try await storage.get(SecurityBarrier.rootKeyPath) else {
            throw CoreError.corrupt("\(SecurityBarrier.rootKeyPath) is missing while unsealed")
        }
        do {
            var opened = try Envelope.open(blob, key: SymmetricKey(data: key), path: SecurityBarrier.rootKeyPath)
            for index in opened.indices { opened[index] = 0 }
            return true
        } catch {
            return false
        }
    }

    /// Drops in-memory generate-root and rekey state. Called when the server seals: shares
    /// given so far, pending OTPs and unverified new keys must not outlive the unsealed state.
    func discardKeyOperations() {
        rootGeneration.withLock { $0 = nil }
        rekeyOperation.withLock { operation in
            operation?.wipe()
            operation = nil
        }
    }
}

/// A generate-root or rekey step that failed for a reason that is not the client's (a 500;
/// the detail goes to the server log). Never carries key material.
struct KeyOperationFailure: Error, CustomStringConvertible {
    var what: String
    var description: String { "key operation failed: \(what)" }
}
