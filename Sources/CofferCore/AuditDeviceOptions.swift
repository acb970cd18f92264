import CofferLogical

/// The options of a `file` audit device, parsed and checked once, when the device is
/// enabled or loaded (vault-core-api.md §13).
///
/// | option | meaning | default |
/// | --- | --- | --- |
/// | `file_path` (legacy name `path`) | the file to append to; `stdout` or `-` for standard output, `discard` for nowhere | required |
/// | `mode` | octal permission bits set on a regular file; `0` leaves them alone | `0600` |
/// | `log_raw` | write sensitive values as they are instead of their HMACs | `false` |
/// | `hmac_accessor` | HMAC token accessors too | `true` |
/// | `format` | `json` only (`jsonx` is refused) | `json` |
/// | `prefix` | text written before each JSON line | empty |
///
/// Anything else is stored and listed as given, but has no effect.
struct AuditDeviceOptions: Sendable, Equatable {
    /// Where entries go.
    enum Destination: Sendable, Equatable, CustomStringConvertible {
        case file(path: String)
        case stdout
        case discard

        var description: String {
            switch self {
            case .file(let path): return path
            case .stdout: return "stdout"
            case .discard: return "discard"
            }
        }
    }

    /// The device types this server can enable.
    static let supportedTypes: Set<String> = ["file"]
    static let defaultMode: UInt32 = 0o600

    var destination: Destination
    /// Permission bits for a regular file; nil leaves the file's mode as it is.
    var mode: UInt32?
    var logRaw: Bool
    var hmacAccessor: Bool
    var prefix: String

    /// Checks `type` and `options` as `sys/audit/:path` receives them. Throws a 400
    /// ``LogicalError`` that names the offending option.
    init(type: String, options: [String: String]) throws {
        guard Self.supportedTypes.contains(type) else {
            throw LogicalError.invalidRequest(
                "unknown audit device type \"\(type)\": this server supports \"file\"")
        }
        guard let rawPath = options["file_path"] ?? options["path"], !rawPath.isEmpty else {
            throw LogicalError.invalidRequest("file_path is required for a file audit device")
        }
        switch rawPath {
        case "stdout", "-": destination = .stdout
        case "discard": destination = .discard
        default: destination = .file(path: rawPath)
        }

        switch options["format"] ?? "json" {
        case "json", "": break
        case "jsonx":
            throw LogicalError.invalidRequest("audit format \"jsonx\" is not supported by this server: use \"json\"")
        case let other:
            throw LogicalError.invalidRequest("unknown audit format \"\(other)\": use \"json\"")
        }

        if let text = options["mode"], !text.isEmpty {
            var digits = Substring(text)
            if digits.hasPrefix("0o") { digits = digits.dropFirst(2) }
            guard !digits.isEmpty, digits.count <= 4, let bits = UInt32(digits, radix: 8), bits <= 0o7777 else {
                throw LogicalError.invalidRequest("invalid mode \"\(text)\": expected octal permission bits such as \"0600\"")
            }
            mode = bits == 0 ? nil : bits
        } else {
            mode = Self.defaultMode
        }

        logRaw = try Self.flag(options, "log_raw", default: false)
        hmacAccessor = try Self.flag(options, "hmac_accessor", default: true)
        prefix = options["prefix"] ?? ""
    }

    /// A boolean option with Vault's spellings (`true`, `1`, `t`, ...).
    private static func flag(_ options: [String: String], _ name: String, default value: Bool) throws -> Bool {
        guard let text = options[name], !text.isEmpty else { return value }
        switch text.lowercased() {
        case "true", "1", "t": return true
        case "false", "0", "f": return false
        default: throw LogicalError.invalidRequest("\(name) must be a boolean, not \"\(text)\"")
        }
    }
}
