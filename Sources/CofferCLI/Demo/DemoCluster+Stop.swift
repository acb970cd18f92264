#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Watching the servers once they run, and stopping them.
extension DemoCluster {
    /// A server that has ended although nobody stopped it, and how; nil while all run.
    func firstExitedServer() -> (name: String, exit: DemoChildProcess.Exit)? {
        for node in layout.nodes {
            if let child = children[node.name], let exit = child.poll() { return (node.name, exit) }
        }
        return nil
    }

    /// Stops every running server: SIGTERM, then SIGKILL for those still running after
    /// `grace`, or at once when another termination signal arrives meanwhile. Returns the
    /// names of the servers that had to be killed. Every child is reaped on return.
    @discardableResult
    func stop(grace: Duration) async -> [String] {
        let signalsBefore = DemoSignals.count
        for child in children.values { child.send(SIGTERM) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while children.values.contains(where: \.isRunning), clock.now < deadline, DemoSignals.count == signalsBefore {
            try? await Task.sleep(for: .milliseconds(50))
        }
        var killed: [String] = []
        for node in layout.nodes {
            guard let child = children[node.name], child.isRunning else { continue }
            child.send(SIGKILL)
            child.waitBlocking()
            killed.append(node.name)
        }
        return killed
    }
}
