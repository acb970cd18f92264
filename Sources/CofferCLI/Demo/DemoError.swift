/// Why a demo could not start or had to stop: which step, on which server, and what went
/// wrong. Messages never carry a token or a key.
struct DemoError: Error, Sendable, CustomStringConvertible {
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        /// A start-up step failed (an API call was refused, a wait timed out, a file could not
        /// be written, a port is taken).
        static let stepFailed = Code("step failed")
        /// A server process ended although nobody stopped it.
        static let serverExited = Code("server exited")
        /// SIGINT or SIGTERM arrived before the demo was ready.
        static let interrupted = Code("interrupted")
    }

    var code: Code
    /// What the demo was doing: `initialise primary`, `activate secondary-1`, ...
    var step: String
    /// The server concerned (its name, as in ``DemoLayout/Node/name``), when there is one:
    /// its log's last lines are shown with the error.
    var server: String?
    var message: String

    init(_ code: Code, step: String, server: String? = nil, _ message: String) {
        self.code = code
        self.step = step
        self.server = server
        self.message = message
    }

    var description: String {
        "step \"\(step)\"\(server.map { " (server \($0))" } ?? ""): \(message)"
    }
}
