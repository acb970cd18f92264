// Server answers shared by the response-wrapping tests.

/// A wrapped answer (`X-Vault-Wrap-TTL: 5m`) for `creationPath`, wrapping a token when
/// `wrappedAccessor` is not empty.
func wrappedAnswer(_ creationPath: String, token: String = "hvs.wrapping", wrappedAccessor: String = "") -> String {
    """
    {"request_id": "", "lease_id": "", "renewable": false, "lease_duration": 0, "data": null, "warnings": null,
     "auth": null, "wrap_info": {"token": "\(token)", "accessor": "wrap-acc", "ttl": 300,
     "creation_time": "2024-01-01T10:00:00Z", "creation_path": "\(creationPath)",
     "wrapped_accessor": "\(wrappedAccessor)"}}
    """
}

/// The wrapping table rows `vault` prints for ``wrappedAnswer(_:token:wrappedAccessor:)``.
func wrappedTable(_ creationPath: String, token: String = "hvs.wrapping", wrappedAccessor: String = "") -> String {
    var rows = [
        ("wrapping_token:", token), ("wrapping_accessor:", "wrap-acc"), ("wrapping_token_ttl:", "5m"),
        ("wrapping_token_creation_time:", "2024-01-01T10:00:00Z"), ("wrapping_token_creation_path:", creationPath),
    ]
    if !wrappedAccessor.isEmpty { rows.append(("wrapped_accessor:", wrappedAccessor)) }
    let width = rows.map(\.0.count).max()!
    let lines = [("Key", "Value"), ("---", "-----")] + rows
    return lines.map { key, value in key + String(repeating: " ", count: width - key.count + 4) + value }
        .joined(separator: "\n") + "\n"
}
