import CofferLogical

extension Timestamp {
    /// "No expiry" in approle records: the zero instant, which Vault shows as Go's zero
    /// time.
    static let never = Timestamp(nanoseconds: 0)

    /// RFC 3339, with ``never`` as Go's zero time (`0001-01-01T00:00:00Z`), as Vault
    /// answers for a secret-id without expiry.
    var rfc3339OrNever: String {
        self == .never ? "0001-01-01T00:00:00Z" : rfc3339
    }
}
