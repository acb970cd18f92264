#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One `coffer server` child of the demo, started with `posix_spawn`.
///
/// The child runs in its own process group, so a Ctrl-C at the terminal reaches only the
/// demo, which then stops its children in order (SIGTERM, later SIGKILL). Its standard
/// output and error are appended to a log file; its standard input is `/dev/null`;
/// SIGINT, SIGTERM and SIGPIPE are reset to their defaults and no signal is blocked, whatever
/// the demo itself does with them.
///
/// Not thread-safe: one task owns it. Only this type reaps its pid (`waitpid`), so the pid
/// is never reused behind its back while ``exitStatus`` is nil.
final class DemoChildProcess {
    /// How a child ended.
    enum Exit: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): "was killed by signal \(signal)\(signal == SIGKILL ? " (SIGKILL)" : signal == SIGTERM ? " (SIGTERM)" : "")"
            }
        }
    }

    let pid: pid_t
    /// Set once the child has been reaped.
    private(set) var exitStatus: Exit?

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` with `arguments` (the program name excluded) and the demo's own
    /// environment, appending its output to `logPath` (created with mode 0600).
    static func spawn(executable: String, arguments: [String], logPath: String) throws(CLIError) -> DemoChildProcess {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, executable, &actions, &attributes, buffer.baseAddress!, environ)
        }
        guard result == 0 else {
            throw CLIError(.io, "cannot start \(executable): \(FileReader.describe(errno: result))")
        }
        return DemoChildProcess(pid: pid)
    }

    /// Reaps the child if it has ended (without waiting); returns how it ended, or nil
    /// while it runs.
    @discardableResult
    func poll() -> Exit? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                exitStatus = Self.decode(status)
                return exitStatus
            }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: someone else reaped it; it is gone either way.
            exitStatus = .exited(-1)
            return exitStatus
        }
    }

    var isRunning: Bool { poll() == nil }

    /// Sends `signal` to the child (nothing once it has been reaped).
    func send(_ signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
    }

    /// Blocks until the child ends and reaps it.
    func waitBlocking() {
        guard exitStatus == nil else { return }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid {
                exitStatus = Self.decode(status)
                return
            }
            if result < 0 && errno == EINTR { continue }
            exitStatus = .exited(-1)
            return
        }
    }

    /// `waitpid`'s status word, decoded as the `WIFEXITED`/`WTERMSIG` macros do (Swift
    /// does not import them).
    static func decode(_ status: Int32) -> Exit {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }
}
