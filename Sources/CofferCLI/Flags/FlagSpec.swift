/// One command-line flag, Go style: `-name=value`, `-name value`, `-name` for booleans;
/// `--name` works too.
struct FlagSpec: Sendable {
    enum Kind: Sendable {
        case bool
        case string
        case int
    }

    /// Canonical name, the key in ``ParsedFlags``.
    var name: String
    /// Other spellings (`-n` for `-key-shares`).
    var aliases: [String]
    var kind: Kind
    /// The default as shown in help; nil shows none.
    var defaultText: String?
    /// Help text, wrapped when printed.
    var usage: String

    init(_ name: String, aliases: [String] = [], kind: Kind, default defaultText: String? = nil, usage: String) {
        self.name = name
        self.aliases = aliases
        self.kind = kind
        self.defaultText = defaultText
        self.usage = usage
    }

    var spellings: [String] { [name] + aliases }
}

/// Flags shown together in help under a heading ("HTTP Options", "Output Options", ...).
struct FlagGroup: Sendable {
    var title: String
    var flags: [FlagSpec]

    init(_ title: String, _ flags: [FlagSpec]) {
        self.title = title
        self.flags = flags
    }
}

extension FlagGroup {
    /// Connection settings every command that talks to the server takes.
    static let http = FlagGroup("HTTP Options", [
        FlagSpec(
            "address", kind: .string, default: "https://127.0.0.1:8200",
            usage: "Address of the Coffer server. This can also be specified via the VAULT_ADDR (or COFFER_ADDR) environment variable."),
        FlagSpec(
            "ca-cert", kind: .string,
            usage: "Path on the local disk to a single PEM-encoded CA certificate to verify the server's SSL certificate. This can also be specified via the VAULT_CACERT environment variable."),
        FlagSpec(
            "tls-skip-verify", kind: .bool, default: "false",
            usage: "Disable verification of TLS certificates. Using this option is highly discouraged as it decreases the security of data transmissions to and from the server. This can also be specified via the VAULT_SKIP_VERIFY environment variable."),
        FlagSpec(
            "namespace", aliases: ["ns"], kind: .string,
            usage: "The namespace to use for the command. This can also be specified via the VAULT_NAMESPACE environment variable."),
        FlagSpec(
            "wrap-ttl", kind: .string,
            usage: "Wraps the response in a cubbyhole token with the requested TTL. This can also be specified via the VAULT_WRAP_TTL environment variable."),
        FlagSpec(
            "non-interactive", kind: .bool, default: "false",
            usage: "When set true, prevents asking the user for input via the terminal."),
    ])

    /// `-format` alone, for commands whose output is not a secret (status, init, unseal).
    static let format = FlagGroup("Output Options", [formatFlag])

    /// `-format` and `-field`, for commands that print a secret (read, write, delete).
    static let output = FlagGroup("Output Options", [
        FlagSpec(
            "field", kind: .string,
            usage: "Print only the field with the given name. Specifying this option will take precedence over other formatting directives. The result will not have a trailing newline making it ideal for piping to other processes."),
        formatFlag,
    ])

    private static let formatFlag = FlagSpec(
        "format", kind: .string, default: "table",
        usage: "Print the output in the given format. Valid formats are \"table\" or \"json\". This can also be specified via the VAULT_FORMAT environment variable.")
}
