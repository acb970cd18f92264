public import CofferJSON

/// The seal configuration stored in plaintext at ``SecurityBarrier/sealConfigPath``:
/// how the unseal key was split.
///
/// Core writes it at initialisation (outside the barrier, since it must be readable
/// while sealed) and reads it to know the threshold. Stored as JSON:
///
/// ```json
/// {"secret_shares": 5, "secret_threshold": 3, "type": "shamir", "version": 1}
/// ```
public struct SealConfig: Sendable, Hashable {
    /// The only seal type Coffer has.
    public static let shamirType = "shamir"
    /// The current ``version``.
    public static let currentVersion = 1

    /// The seal type; `"shamir"`.
    public var type: String
    /// How many shares the unseal key was split into.
    public var secretShares: Int
    /// How many shares recover it.
    public var secretThreshold: Int
    /// Format version of this record.
    public var version: Int

    public init(secretShares: Int, secretThreshold: Int, type: String = shamirType, version: Int = currentVersion) {
        self.type = type
        self.secretShares = secretShares
        self.secretThreshold = secretThreshold
        self.version = version
    }

    /// Checks the counts by Vault's rules, with Vault's messages (`sys/init` answers them
    /// with 400).
    /// - Throws: ``BarrierError`` `.invalidRequest`.
    public func validate() throws(BarrierError) {
        guard type == Self.shamirType else { throw BarrierError(.invalidRequest, "unsupported seal type \"\(type)\"") }
        guard version == Self.currentVersion else {
            throw BarrierError(.invalidRequest, "unsupported seal config version \(version)")
        }
        try Shamir.validate(secretLength: 1, shares: secretShares, threshold: secretThreshold)
    }

    /// The record as a JSON object.
    public var json: JSONValue {
        [
            "type": .string(type),
            "secret_shares": .int(Int64(secretShares)),
            "secret_threshold": .int(Int64(secretThreshold)),
            "version": .int(Int64(version)),
        ]
    }

    /// Reads the record from a JSON object and validates it.
    /// - Throws: ``BarrierError`` `.integrity` for missing or mistyped fields or counts that
    ///   break the rules: a stored config that does not parse is corrupt.
    public init(json: JSONValue) throws(BarrierError) {
        guard let type = json["type"]?.stringValue, let shares = json["secret_shares"]?.intValue,
            let threshold = json["secret_threshold"]?.intValue, let version = json["version"]?.intValue,
            let sharesInt = Int(exactly: shares), let thresholdInt = Int(exactly: threshold),
            let versionInt = Int(exactly: version)
        else { throw BarrierError(.integrity, "seal config is malformed") }
        self.init(secretShares: sharesInt, secretThreshold: thresholdInt, type: type, version: versionInt)
        do { try validate() } catch { throw BarrierError(.integrity, "seal config is invalid: \(error.message)") }
    }

    /// The stored bytes: compact JSON with sorted keys.
    public func encoded() -> [UInt8] {
        JSONWriter.bytes(json)
    }

    /// Parses stored bytes.
    /// - Throws: ``BarrierError`` `.integrity` when they are not a valid seal config.
    public init(bytes: [UInt8]) throws(BarrierError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, maxDepth: 8) } catch {
            throw BarrierError(.integrity, "seal config is not valid JSON: \(error.description)")
        }
        try self.init(json: value)
    }
}
