import CofferBarrier
import CofferJSON
import CofferLogical

/// The logical part of `sys/` (the non-logical endpoints — init, seal status, unseal,
/// seal, health, leader — are served by the HTTP layer straight from ``Core``).
/// Path groups live in `SystemBackend+*.swift`.
///
/// Holds Core unowned: Core owns the router that owns this backend, and outlives it.
struct SystemBackend: LogicalBackend {
    unowned let core: Core

    /// `sys/` paths that need `sudo` on top of the operation's capability
    /// (vault-core-api.md §7.4 step 6). A trailing `*` is a prefix.
    static let rootProtectedPaths = [
        "auth/*", "remount", "audit", "audit/*", "raw", "raw/*", "rotate", "config/cors", "config/auditing/*",
        "config/ui/headers/*", "plugins/catalog/*", "revoke-prefix/*", "revoke-force/*", "leases/revoke-prefix/*",
        "leases/revoke-force/*", "leases/lookup/*", "leases", "seal", "step-down",
    ]

    func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        let path = request.path
        let first = path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        switch first {
        case "mounts", "remount", "internal", "mounts-all":
            return try await handleMounts(request)
        case "auth":
            return try await handleAuth(request)
        case "leases", "renew", "revoke", "revoke-prefix", "revoke-force":
            guard let active = core.active else { throw LogicalError.sealed }
            return try await handleLeases(request, expiration: active.expiration)
        case "policy", "policies":
            return try await handlePolicies(request)
        case "capabilities", "capabilities-self", "capabilities-accessor":
            return try await handleCapabilities(request)
        case "audit", "audit-hash":
            return try await handleAudit(request)
        case "replication":
            return try await handleReplication(request)
        case "wrapping":
            return try await handleWrapping(request)
        case "metrics" where path == "metrics":
            return try await handleMetrics(request)
        case "key-status" where request.operation == .read && path == "key-status":
            guard let status = core.barrier.keyStatus() else { throw LogicalError.sealed }
            return Response(
                data: [
                    "term": .int(Int64(status.term)),
                    "install_time": .string(ISO8601.string(from: status.installTime)),
                    "encryptions": .int(Int64(status.encryptions)),
                ],
                injectDataAtTopLevel: true
            )
        case "rotate" where path == "rotate" && (request.operation == .update || request.operation == .create):
            let term = try await core.barrier.rotate()
            core.logger.info("core: barrier key rotated", metadata: ["term": "\(term.term)"])
            return nil
        default:
            throw LogicalError.unsupportedPath("sys/" + path)
        }
    }

    /// The path after `prefix`, or nil when `path` is not under it.
    static func suffix(of path: String, after prefix: String) -> String? {
        path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
    }
}
