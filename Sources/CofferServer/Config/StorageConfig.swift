/// The `storage` (or legacy `backend`) stanza: where Coffer keeps its encrypted data.
///
/// ```hcl
/// storage "sqlite" { path = "/var/lib/coffer/coffer.db" }
/// storage "inmem" {}
/// ```
public enum StorageConfig: Sendable, Equatable {
    /// Memory only; everything is lost on exit. For development and tests.
    case inmem
    /// A SQLite database file (created if absent).
    case sqlite(path: String)

    /// The stanza's type label (`"inmem"`, `"sqlite"`).
    public var typeName: String {
        switch self {
        case .inmem: return "inmem"
        case .sqlite: return "sqlite"
        }
    }
}
