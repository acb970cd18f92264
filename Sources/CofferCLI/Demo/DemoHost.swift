import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the demo asks of the machine it runs on: its own executable, free ports, and
/// termination signals.
enum DemoHost {
    /// The running executable, to start `<it> server -config=...`: `/proc/self/exe` where
    /// there is one, else `argv[0]` (a path, or a name looked up in `PATH`).
    static func executablePath(environment: [String: String]) throws(CLIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let program = CommandLine.arguments.first ?? ""
        if program.contains("/") {
            if let resolved = realpath(program, nil) {
                defer { free(resolved) }
                return String(cString: resolved)
            }
        } else if !program.isEmpty {
            for folder in (environment["PATH"] ?? "").split(separator: ":") {
                let candidate = String(folder) + "/" + program
                if access(candidate, X_OK) == 0 { return candidate }
            }
        }
        throw CLIError(.io, "cannot find the coffer executable to start the servers with")
    }

    /// Whether a TCP listener could bind `port` on 127.0.0.1 right now (with
    /// `SO_REUSEADDR`, as the servers bind, so a port in TIME_WAIT counts as free).
    static func isPortFree(_ port: Int) -> Bool {
        #if canImport(Darwin)
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(DemoLayout.host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }
}

/// SIGINT and SIGTERM, caught and counted so that the demo's loops can notice them between
/// steps: the first asks for a clean stop, a second one makes that stop skip the grace
/// period.
enum DemoSignals {
    /// Termination signals received since ``install()``. Written by the signal handler,
    /// which may only do async-signal-safe work: a lock-free atomic increment is.
    static let received = Atomic<Int>(0)
    /// The last signal received.
    static let lastSignal = Atomic<Int32>(0)

    /// Installs the handlers for SIGINT and SIGTERM (the process keeps them until it exits),
    /// and ignores SIGPIPE: a closed terminal or pipe must not kill the demo before it has
    /// stopped its servers (their own SIGPIPE is reset when they start).
    static func install() {
        signal(SIGPIPE, SIG_IGN)
        // Touch both globals first: their lazy initialisation must not run in the handler.
        _ = received.load(ordering: .relaxed)
        _ = lastSignal.load(ordering: .relaxed)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { caught in
                DemoSignals.lastSignal.store(caught, ordering: .relaxed)
                DemoSignals.received.wrappingAdd(1, ordering: .relaxed)
            }
        }
    }

    static var count: Int { received.load(ordering: .relaxed) }
    static var interrupted: Bool { count > 0 }

    /// `SIGINT` or `SIGTERM`, for messages.
    static var lastSignalName: String {
        switch lastSignal.load(ordering: .relaxed) {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "a signal"
        }
    }
}
