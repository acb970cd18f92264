import CofferBarrier
import CofferLogical
import CofferStorage

/// What `GET sys/rekey/init` reports (vault-core-api.md §5, "Rekey").
public struct RekeyStatus: Sendable, Equatable {
    /// Whether a rekey operation is in progress.
    public var started: Bool
    /// The operation's identifier; every current share must be sent with it. Empty when idle.
    public var nonce: String
    /// Shares the new unseal key is split into (`n`); 0 when idle.
    public var newShares: Int
    /// Shares of the new key needed to unseal (`t`); 0 when idle.
    public var newThreshold: Int
    /// Distinct current shares given so far.
    public var progress: Int
    /// Current shares needed: the current unseal threshold.
    public var required: Int
    public var verificationRequired: Bool
    /// The nonce of the verification step, once the new shares were handed out; else empty.
    public var verificationNonce: String
}

/// The answer of the `sys/rekey/update` call that reached the threshold: the new key
/// shares. Secret, so it prints redacted.
public struct RekeyCompletion: Sendable, Equatable {
    /// The rekey operation's nonce.
    public var nonce: String
    /// The new unseal key shares (raw bytes; Vault's `keys` are hex, `keys_base64` base64).
    public var keys: [[UInt8]]
    /// True when the new shares take effect only after `sys/rekey/verify`.
    public var verificationRequired: Bool
    /// The nonce to verify with; empty without verification.
    public var verificationNonce: String
}

extension RekeyCompletion: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "RekeyCompletion(nonce: \(nonce), keys: <\(keys.count) redacted>, verificationRequired: \(verificationRequired))"
    }
    public var debugDescription: String { description }
}

/// What one `sys/rekey/update` call led to.
public enum RekeyUpdateOutcome: Sendable, Equatable {
    /// The share was recorded; the status after it.
    case progress(RekeyStatus)
    /// The threshold was reached and the current key checked: the new shares.
    case complete(RekeyCompletion)
}

/// What `GET sys/rekey/verify` reports.
public struct RekeyVerificationStatus: Sendable, Equatable {
    /// True once new shares were handed out and await verification.
    public var started: Bool
    /// The verification's identifier; every new share must be sent with it.
    public var nonce: String
    /// Shares the new key was split into.
    public var newShares: Int
    /// New shares needed to verify (and later to unseal).
    public var newThreshold: Int
    /// Distinct new shares given so far.
    public var progress: Int
}

/// What one `sys/rekey/verify` call led to.
public enum RekeyVerifyOutcome: Sendable, Equatable {
    /// The share was recorded; the verification status after it.
    case progress(RekeyVerificationStatus)
    /// The new shares were proven and are now the unseal key's; the verification nonce.
    case complete(nonce: String)
}

/// An in-progress `sys/rekey` operation: the pure core of rekeying.
///
/// Two phases. First, shares of the **current** unseal key are collected with
/// ``submitCurrentShare(_:nonce:)`` until the threshold; the shell combines and checks them,
/// makes and splits a new key, and either installs it at once or, with verification, parks
/// it here with ``awaitVerification(of:nonce:)``. Second (verification only), shares of the
/// **new** key are collected with ``submitNewShare(_:nonce:)``; the shell compares their
/// combination with ``pendingKey`` and installs it. A repeated share is an error in both
/// phases. Holds key material, so it prints redacted; lives in memory only and is dropped on
/// seal (the pending key with it: the current shares then stay valid).
struct RekeyOperation: Sendable {
    typealias Action = UnsealProgress.Action

    let nonce: String
    /// The configuration the new key is split by.
    let newConfig: SealConfig
    let verificationRequired: Bool
    private var current: UnsealProgress
    private var verification: Verification?

    private struct Verification: Sendable {
        var key: [UInt8]
        var progress: UnsealProgress
        var nonce: String { progress.nonce }
    }

    init(newConfig: SealConfig, verificationRequired: Bool, currentThreshold: Int, nonce: String = UnsealProgress.makeNonce()) {
        self.nonce = nonce
        self.newConfig = newConfig
        self.verificationRequired = verificationRequired
        self.current = UnsealProgress(threshold: currentThreshold, nonce: nonce)
    }

    var progress: Int { current.progress }
    var currentThreshold: Int { current.threshold }
    /// The new key awaiting verification, if any.
    var pendingKey: [UInt8]? { verification?.key }
    var verificationNonce: String? { verification?.nonce }
    var verificationProgress: Int { verification?.progress.progress ?? 0 }

    /// Records one share of the current unseal key.
    /// - Throws: ``LogicalError`` `invalidRequest` once verification is pending, for a wrong
    ///   nonce, or for a repeated share.
    mutating func submitCurrentShare(_ share: [UInt8], nonce: String) throws(LogicalError) -> Action {
        if let verificationNonce {
            throw LogicalError.invalidRequest(
                "rekey operation already finished; verification must be performed; nonce for the verification operation is \"\(verificationNonce)\"")
        }
        guard nonce == self.nonce else {
            throw LogicalError.invalidRequest("incorrect nonce supplied; nonce for this rekey operation is \"\(self.nonce)\"")
        }
        return try Self.submit(share, to: &current, keepingNonce: self.nonce, operation: "rekey")
    }

    /// Parks `key` (the new unseal key, already split and handed out) until verified.
    mutating func awaitVerification(of key: [UInt8], nonce: String = UnsealProgress.makeNonce()) {
        verification = Verification(key: key, progress: UnsealProgress(threshold: newConfig.secretThreshold, nonce: nonce))
    }

    /// Records one share of the new key.
    /// - Throws: ``LogicalError`` `invalidRequest` when nothing awaits verification, for a
    ///   wrong nonce, or for a repeated share.
    mutating func submitNewShare(_ share: [UInt8], nonce: String) throws(LogicalError) -> Action {
        guard var pending = verification else {
            throw LogicalError.invalidRequest("no rekey verification in progress")
        }
        guard nonce == pending.nonce else {
            throw LogicalError.invalidRequest("incorrect nonce supplied; nonce for this verify operation is \"\(pending.nonce)\"")
        }
        defer { verification = pending }
        return try Self.submit(share, to: &pending.progress, keepingNonce: pending.nonce, operation: "verify")
    }

    /// Forgets the new shares given so far and starts verification over under a new nonce
    /// (after a failed verification, or on request). No-op when nothing awaits verification.
    mutating func restartVerification(nonce: String = UnsealProgress.makeNonce()) {
        verification?.progress.reset(nonce: nonce)
    }

    private static func submit(
        _ share: [UInt8], to progress: inout UnsealProgress, keepingNonce nonce: String, operation: String
    ) throws(LogicalError) -> Action {
        let before = progress.progress
        let action = progress.submit(share: share, nextNonce: nonce)
        if case .progress(let count) = action, count == before {
            throw LogicalError.invalidRequest("given key has already been provided during this \(operation) operation")
        }
        return action
    }

    /// Best-effort overwrite of the parked key before the operation is dropped.
    mutating func wipe() {
        if var pending = verification {
            for index in pending.key.indices { pending.key[index] = 0 }
            pending.progress.reset()
            verification = nil
        }
        current.reset(nonce: nonce)
    }
}

extension RekeyOperation: CustomStringConvertible, CustomReflectable {
    var description: String {
        "RekeyOperation(nonce: \(nonce), shares: \(newConfig.secretShares), threshold: \(newConfig.secretThreshold), "
            + "progress: \(progress)/\(currentThreshold), verifying: \(verification != nil), keys: <redacted>)"
    }
    var customMirror: Mirror {
        Mirror(self, children: ["nonce": nonce, "progress": progress, "verifying": verification != nil], displayStyle: .struct)
    }
}

extension Core {
    // MARK: status

    /// `GET sys/rekey/init`.
    /// - Throws: ``LogicalError`` `sealed` while sealed; `invalidRequest` before init.
    public func rekeyStatus() async throws -> RekeyStatus {
        let sealConfig = try await keyOperationSealConfig()
        return Self.rekeyStatus(rekeyOperation.withLock { $0 }, required: sealConfig.secretThreshold)
    }

    static func rekeyStatus(_ operation: RekeyOperation?, required: Int) -> RekeyStatus {
        RekeyStatus(
            started: operation != nil, nonce: operation?.nonce ?? "",
            newShares: operation?.newConfig.secretShares ?? 0, newThreshold: operation?.newConfig.secretThreshold ?? 0,
            progress: operation?.progress ?? 0, required: required,
            verificationRequired: operation?.verificationRequired ?? false,
            verificationNonce: operation?.verificationNonce ?? ""
        )
    }

    // MARK: start, cancel

    /// `PUT sys/rekey/init`: starts a rekey to `shares`/`threshold` (the same rules as
    /// `sys/init`). With `requireVerification`, the new shares take effect only once a
    /// threshold of them is given back to `sys/rekey/verify`.
    /// - Throws: ``LogicalError`` `invalidRequest` for bad counts or a rekey in progress;
    ///   `sealed` while sealed.
    public func startRekey(shares: Int, threshold: Int, requireVerification: Bool) async throws -> RekeyStatus {
        try Self.validateInit(shares: shares, threshold: threshold)
        return try await lifecycle.run {
            let sealConfig = try await keyOperationSealConfig()
            let operation = try rekeyOperation.withLock { current throws(LogicalError) -> RekeyOperation in
                guard current == nil else { throw LogicalError.invalidRequest("rekey already in progress") }
                let operation = RekeyOperation(
                    newConfig: SealConfig(secretShares: shares, secretThreshold: threshold),
                    verificationRequired: requireVerification, currentThreshold: sealConfig.secretThreshold)
                current = operation
                return operation
            }
            logger.info("core: rekey started", metadata: [
                "nonce": "\(operation.nonce)", "shares": "\(shares)", "threshold": "\(threshold)",
                "verification_required": "\(requireVerification)",
            ])
            return Self.rekeyStatus(operation, required: sealConfig.secretThreshold)
        }
    }

    /// `DELETE sys/rekey/init`: drops the operation, its shares and any unverified new key
    /// (the current shares stay valid). Idempotent.
    /// - Throws: ``LogicalError`` `sealed` while sealed.
    public func cancelRekey() async throws {
        try await lifecycle.run {
            _ = try await keyOperationSealConfig()
            let cancelled = rekeyOperation.withLock { operation -> Bool in
                defer {
                    operation?.wipe()
                    operation = nil
                }
                return operation != nil
            }
            if cancelled { logger.info("core: rekey cancelled") }
        }
    }

    // MARK: update

    /// `PUT sys/rekey/update`: one share of the current unseal key. At the threshold the
    /// shares are checked against the stored root key; then a new unseal key is made, split
    /// by the operation's configuration, and installed (with the new seal configuration, in
    /// one storage batch), or parked for verification.
    /// - Throws: ``LogicalError`` `invalidRequest` for a share of implausible length, no
    ///   operation, a wrong nonce, a repeated share, verification pending, or shares that do
    ///   not reconstruct the current key (the operation stays, with no shares); `sealed`.
    public func updateRekey(share: [UInt8], nonce: String) async throws -> RekeyUpdateOutcome {
        try Self.checkShareLength(share)
        return try await lifecycle.run {
            let sealConfig = try await keyOperationSealConfig()
            let (action, operation) = try rekeyOperation.withLock { operation throws(LogicalError) in
                guard var current = operation else { throw LogicalError.invalidRequest("no rekey in progress") }
                defer { operation = current }
                return (try current.submitCurrentShare(share, nonce: nonce), current)
            }
            let shares: [[UInt8]]
            switch action {
            case .progress:
                return .progress(Self.rekeyStatus(operation, required: sealConfig.secretThreshold))
            case .combine(let collected):
                shares = collected
            }
            guard try await isCurrentUnsealKey(shares: shares, threshold: operation.currentThreshold) else {
                logger.warning("core: rekey aborted: the key shares did not reconstruct the unseal key")
                throw LogicalError.invalidRequest("rekey aborted: the key shares do not reconstruct this Vault's unseal key")
            }
            var newKey = [UInt8](repeating: 0, count: SecurityBarrier.unsealKeySize)
            var rng = SystemRandomNumberGenerator()
            for index in newKey.indices { newKey[index] = rng.next() }
            defer { for index in newKey.indices { newKey[index] = 0 } }
            let newShares = try Shamir.split(
                secret: newKey, shares: operation.newConfig.secretShares, threshold: operation.newConfig.secretThreshold)

            if operation.verificationRequired {
                let verificationNonce = UnsealProgress.makeNonce()
                rekeyOperation.withLock { $0?.awaitVerification(of: newKey, nonce: verificationNonce) }
                logger.info("core: rekey awaits verification of the new key shares", metadata: ["nonce": "\(nonce)"])
                return .complete(RekeyCompletion(
                    nonce: nonce, keys: newShares, verificationRequired: true, verificationNonce: verificationNonce))
            }
            try await installUnsealKey(newKey, config: operation.newConfig)
            return .complete(RekeyCompletion(nonce: nonce, keys: newShares, verificationRequired: false, verificationNonce: ""))
        }
    }

    // MARK: verification

    /// `GET sys/rekey/verify`.
    /// - Throws: ``LogicalError`` `invalidRequest` when no rekey is in progress; `sealed`.
    public func rekeyVerificationStatus() async throws -> RekeyVerificationStatus {
        _ = try await keyOperationSealConfig()
        guard let operation = rekeyOperation.withLock({ $0 }) else {
            throw LogicalError.invalidRequest("no rekey configuration found")
        }
        return Self.verificationStatus(operation)
    }

    static func verificationStatus(_ operation: RekeyOperation) -> RekeyVerificationStatus {
        RekeyVerificationStatus(
            started: operation.pendingKey != nil, nonce: operation.verificationNonce ?? "",
            newShares: operation.newConfig.secretShares, newThreshold: operation.newConfig.secretThreshold,
            progress: operation.verificationProgress)
    }

    /// `DELETE sys/rekey/verify`: forgets the new shares given so far and issues a new
    /// verification nonce; the rekey operation and its new key stay.
    /// - Throws: as ``rekeyVerificationStatus()``.
    public func restartRekeyVerification() async throws -> RekeyVerificationStatus {
        try await lifecycle.run {
            _ = try await keyOperationSealConfig()
            rekeyOperation.withLock { $0?.restartVerification() }
        }
        return try await rekeyVerificationStatus()
    }

    /// `PUT sys/rekey/verify`: one share of the **new** key. At the new threshold the shares
    /// are combined and compared with the parked key; when equal, the new key and seal
    /// configuration are installed and the old shares stop working.
    /// - Throws: ``LogicalError`` `invalidRequest` for no operation or verification, a wrong
    ///   nonce, a repeated share, or shares that do not give the new key (verification starts
    ///   over under a new nonce); `sealed`.
    public func verifyRekey(share: [UInt8], nonce: String) async throws -> RekeyVerifyOutcome {
        try Self.checkShareLength(share)
        return try await lifecycle.run {
            _ = try await keyOperationSealConfig()
            let (action, operation) = try rekeyOperation.withLock { operation throws(LogicalError) in
                guard var current = operation else { throw LogicalError.invalidRequest("no rekey in progress") }
                defer { operation = current }
                return (try current.submitNewShare(share, nonce: nonce), current)
            }
            let shares: [[UInt8]]
            switch action {
            case .progress:
                return .progress(Self.verificationStatus(operation))
            case .combine(let collected):
                shares = collected
            }
            guard let pending = operation.pendingKey,
                let combined = try? Shamir.combine(shares, threshold: operation.newConfig.secretThreshold),
                Self.constantTimeEquals(combined, pending)
            else {
                rekeyOperation.withLock { $0?.restartVerification() }
                logger.warning("core: rekey verification failed: the new key shares did not reconstruct the new key")
                throw LogicalError.invalidRequest("rekey verification failed; incorrect key shares supplied")
            }
            try await installUnsealKey(pending, config: operation.newConfig)
            return .complete(nonce: nonce)
        }
    }

    // MARK: backup

    /// Authorises `sys/rekey/backup`: a live token with `sudo` on that path (root has it).
    /// Coffer never stores backups (they exist only for PGP-encrypted shares).
    /// - Throws: ``LogicalError`` `sealed`, or `permissionDenied` for a missing, invalid or
    ///   insufficient token.
    public func authorizeRekeyBackup(clientToken: String?) async throws {
        guard let active else { throw LogicalError.sealed }
        let auth = try await authenticate(clientToken, active: active)
        guard await hasSudo(auth, path: "sys/rekey/backup") else { throw LogicalError.permissionDenied }
    }

    // MARK: helpers

    /// Re-seals the root key under `key` and stores `config` with it (one batch), then ends
    /// the rekey and restarts any root generation's share count (shares of the old key are
    /// useless now). Call under the lifecycle gate.
    private func installUnsealKey(_ key: [UInt8], config: SealConfig) async throws {
        try await barrier.rekey(newUnsealKey: key, sealConfig: config)
        sealState.withLock { $0.sealConfig = config }
        rekeyOperation.withLock { operation in
            operation?.wipe()
            operation = nil
        }
        rootGeneration.withLock { $0?.restartProgress(threshold: config.secretThreshold) }
        logger.info("core: rekey complete: new unseal key shares are in effect", metadata: [
            "shares": "\(config.secretShares)", "threshold": "\(config.secretThreshold)",
        ])
    }

    /// Equality of secret bytes in time that depends only on the lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
