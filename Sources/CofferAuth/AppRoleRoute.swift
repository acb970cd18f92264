import CofferLogical

/// Which path of an approle mount a mount-relative request path names. Role names are
/// lower-cased, as Vault stores and looks them up.
enum AppRoleRoute: Equatable {
    /// `role` (list).
    case roles
    case role(String)
    case roleID(String)
    /// `role/<name>/secret-id`: write generates, list lists accessors.
    case secretID(String)
    case customSecretID(String)
    case secretIDLookup(String)
    case secretIDDestroy(String)
    case accessorLookup(String)
    case accessorDestroy(String)
    case login
    case tidySecretIDs
    case unknown

    init(path: String) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // A list names a folder: `role/` and `role/<name>/secret-id/` list like their bare forms.
        if segments.count > 1, segments.last == "" { segments.removeLast() }
        switch segments {
        case ["login"]: self = .login
        case ["tidy", "secret-id"]: self = .tidySecretIDs
        case ["role"]: self = .roles
        default:
            guard segments.count >= 2, segments[0] == "role" else {
                self = .unknown
                return
            }
            let name = segments[1].lowercased()
            guard AuthNames.isValid(name, allowAt: false) else {
                self = .unknown
                return
            }
            switch Array(segments.dropFirst(2)) {
            case []: self = .role(name)
            case ["role-id"]: self = .roleID(name)
            case ["secret-id"]: self = .secretID(name)
            case ["custom-secret-id"]: self = .customSecretID(name)
            case ["secret-id", "lookup"]: self = .secretIDLookup(name)
            case ["secret-id", "destroy"]: self = .secretIDDestroy(name)
            case ["secret-id-accessor", "lookup"]: self = .accessorLookup(name)
            case ["secret-id-accessor", "destroy"]: self = .accessorDestroy(name)
            default: self = .unknown
            }
        }
    }
}
