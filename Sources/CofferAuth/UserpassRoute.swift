import CofferLogical

/// Which path of a userpass mount a mount-relative request path names. User names are
/// lower-cased, as Vault stores and looks them up.
enum UserpassRoute: Equatable {
    /// `users` (list).
    case users
    case user(String)
    case password(String)
    case policies(String)
    case login(String)
    /// Anything else, including names Vault's path patterns would not match.
    case unknown

    init(path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch segments.count {
        case 1 where segments[0] == "users":
            self = .users
        case 2 where segments[0] == "users" && segments[1].isEmpty:
            self = .users
        case 2 where segments[0] == "users":
            self = Self.named(segments[1], UserpassRoute.user)
        case 2 where segments[0] == "login":
            self = Self.named(segments[1], UserpassRoute.login)
        case 3 where segments[0] == "users" && segments[2] == "password":
            self = Self.named(segments[1], UserpassRoute.password)
        case 3 where segments[0] == "users" && segments[2] == "policies":
            self = Self.named(segments[1], UserpassRoute.policies)
        default:
            self = .unknown
        }
    }

    private static func named(_ raw: String, _ make: (String) -> UserpassRoute) -> UserpassRoute {
        let name = raw.lowercased()
        return AuthNames.isValid(name, allowAt: true) ? make(name) : .unknown
    }
}

/// The display name Vault gives a login's token: the mount path (without `auth/`, `/`
/// turned into `-`) followed by the backend's name for the login (`userpass-alice`;
/// `approle` when the backend gives none).
enum LoginDisplayName {
    static func make(mountPoint: String, defaultMount: String, name: String) -> String {
        var source = mountPoint.isEmpty ? defaultMount : mountPoint
        if source.hasPrefix("auth/") { source.removeFirst("auth/".count) }
        var text = String(source.map { $0 == "/" ? "-" : $0 }) + name
        while text.hasSuffix("-") { text.removeLast() }
        return text
    }
}
