/// A failure on the command line's side: bad flags or arguments, unreadable files or input.
/// These exit with status 1; errors from the server exit with 2 (see `CommandRun`).
struct CLIError: Error, Sendable, CustomStringConvertible {
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        /// Flags or positional arguments the command does not accept.
        static let usage = Code("usage")
        /// `k=v` data, a JSON body on stdin or an environment variable that does not parse.
        static let invalidInput = Code("invalid input")
        /// A file that does not exist.
        static let fileNotFound = Code("file not found")
        /// Reading a file, the terminal or standard input failed.
        static let io = Code("io")
        /// `-h`: not a failure; the caller prints the help text.
        static let helpRequested = Code("help requested")
    }

    var code: Code
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
