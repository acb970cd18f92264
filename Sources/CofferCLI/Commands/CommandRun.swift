import CofferClient
import CofferJSON
import Synchronization

/// One invocation of a command: its parsed flags and arguments, the output format, the
/// streams, and the API client (made on first use, shut down by the runner).
final class CommandRun: Sendable {
    let context: CLIContext
    /// `read`, `operator init`: used in messages.
    let commandName: String
    let flags: ParsedFlags
    /// Positional arguments, after the flags.
    let arguments: [String]
    let format: OutputFormat
    private let cachedClient = Mutex<VaultClient?>(nil)

    init(context: CLIContext, commandName: String, flags: ParsedFlags, arguments: [String], format: OutputFormat) {
        self.context = context
        self.commandName = commandName
        self.flags = flags
        self.arguments = arguments
        self.format = format
    }

    // MARK: - Client

    /// The API client for the resolved settings (see ``ClientSettings``); made once.
    func client() throws -> VaultClient {
        try cachedClient.withLock { cached in
            if let cached { return cached }
            let configuration = try ClientSettings.configuration(flags: flags, context: context)
            let client = try context.makeClient(configuration)
            cached = client
            return client
        }
    }

    /// Shuts the client down if one was made. Called by the runner.
    func shutdownClient() async {
        let client = cachedClient.withLock { cached in
            defer { cached = nil }
            return cached
        }
        try? await client?.shutdown()
    }

    /// ``client()``, or prints why it could not be made and returns the exit status (2, as
    /// `vault` does for client setup errors).
    func clientOrExit() -> Result<VaultClient, ExitStatus> {
        do {
            return .success(try client())
        } catch {
            self.error(CommandRun.message(for: error))
            return .failure(ExitStatus(2))
        }
    }

    // MARK: - Output

    /// Writes `text` and a newline to standard output.
    /// One API call that answers a secret, as `read`, `write` and `delete` make it: the
    /// client from the flags; on an API error the message (and, with `printPartial`, any
    /// data or warnings the error body carried); a nil answer goes to `onEmpty`; otherwise
    /// `-field` or the whole secret is printed.
    func secretCall(
        _ errorPrefix: String,
        printPartial: Bool = false,
        onEmpty: () -> Int32,
        _ call: (VaultClient) async throws -> VaultSecret?
    ) async -> Int32 {
        let client: VaultClient
        switch clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let secret: VaultSecret?
        do {
            secret = try await call(client)
        } catch {
            let status = fail(errorPrefix, error)
            if printPartial, let apiError = error as? VaultAPIError, let body = apiError.body,
                let partial = VaultSecret(json: body), partial.data != nil || !partial.warnings.isEmpty
            {
                _ = SecretOutput.print(partial, run: self)
            }
            return status
        }
        guard let secret else { return onEmpty() }
        if let field = flags.string("field"), !field.isEmpty {
            return SecretOutput.printField(field, of: secret, run: self)
        }
        return SecretOutput.print(secret, run: self)
    }

    /// `k=v` arguments (with `@file` and `-` for stdin) as body data, or nil after
    /// reporting a parse error.
    func keyValueData(_ arguments: ArraySlice<String>) -> [String: JSONValue]? {
        do {
            return try KeyValueArguments(stdin: context.stdin).parse(Array(arguments))
        } catch {
            self.error("Failed to parse K=V data: \(error.message)")
            return nil
        }
    }

    /// `k=v` arguments as query parameters, or nil after reporting a parse error.
    func keyValueQuery(_ arguments: ArraySlice<String>) -> [(String, String)]? {
        do {
            return try KeyValueArguments(stdin: context.stdin).parseQuery(Array(arguments))
        } catch {
            self.error("Failed to parse K=V data: \(error.message)")
            return nil
        }
    }

    func output(_ text: String) {
        context.stdout.write(text + "\n")
    }

    /// Writes `text` and a newline to standard error.
    func error(_ text: String) {
        context.stderr.write(text + "\n")
    }

    /// `-field` output: the bare value, with a newline only when stdout is a terminal.
    func printRaw(_ text: String) {
        context.stdout.write(context.stdout.isTerminal ? text + "\n" : text)
    }

    /// Indented JSON (Go's `MarshalIndent` layout) and a newline on standard output.
    func printJSON(_ value: JSONValue) {
        output(JSONWriter.string(value, pretty: true))
    }

    /// Prints `<prefix>: <error>` to standard error and returns the exit status: 1 for local
    /// errors (``CLIError``), 2 for everything that involved the server.
    func fail(_ prefix: String, _ error: any Error) -> Int32 {
        self.error("\(prefix): \(CommandRun.message(for: error))")
        return error is CLIError ? 1 : 2
    }

    /// Checks the number of positional arguments the way `vault` words it; prints and returns
    /// exit status 1 when it is off.
    func checkArgumentCount(_ range: ClosedRange<Int>) -> Int32? {
        let count = arguments.count
        let expected = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
        if count < range.lowerBound {
            error("Not enough arguments (expected \(expected), got \(count))")
            return 1
        }
        if count > range.upperBound {
            error("Too many arguments (expected \(expected), got \(count))")
            return 1
        }
        return nil
    }

    /// The text a user sees for an error: Vault's API error text, Go-style transport errors,
    /// our own messages.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as VaultAPIError: return error.description
        case let error as VaultClientError: return error.message
        case let error as CLIError: return error.message
        default: return String(describing: error)
        }
    }
}

/// An exit status carried through `Result` (statuses are not errors).
struct ExitStatus: Error, Sendable {
    var code: Int32
    init(_ code: Int32) { self.code = code }
}

extension String {
    /// `vault`'s path cleanup for API paths: no leading or trailing slashes.
    var sanitizedAPIPath: String {
        var path = Substring(self)
        while path.hasPrefix("/") { path = path.dropFirst() }
        while path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}
