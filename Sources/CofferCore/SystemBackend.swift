import CofferBarrier
import CofferJSON
import CofferLogical

/// The logical part of `sys/` (the non-logical endpoints — init, seal status, unseal,
/// seal, health, leader — are served by the HTTP layer straight from ``Core``).
///
/// Holds Core unowned: Core owns the router that owns this backend, and outlives it.
struct SystemBackend: LogicalBackend {
    unowned let core: Core

    func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        let path = request.path
        switch (request.operation, path) {
        case (.read, "mounts"):
            guard let active = core.active else { throw LogicalError.sealed }
            var data: [String: JSONValue] = [:]
            for mount in active.mounts { data[mount.path] = mount.apiValue }
            return Response(data: data, injectDataAtTopLevel: true)
        case (.read, _) where path.hasPrefix("mounts/"):
            guard let active = core.active else { throw LogicalError.sealed }
            var mountPath = String(path.dropFirst("mounts/".count))
            if !mountPath.hasSuffix("/") { mountPath += "/" }
            guard let mount = active.mounts.first(where: { $0.path == mountPath }) else {
                throw LogicalError.invalidRequest("no mount entry found at \(mountPath)")
            }
            return Response(data: mount.apiValue.objectValue, injectDataAtTopLevel: true)
        case (.update, _) where path.hasPrefix("mounts/"), (.create, _) where path.hasPrefix("mounts/"):
            return try await enableMount(path: String(path.dropFirst("mounts/".count)), data: request.data)
        case (.delete, _) where path.hasPrefix("mounts/"):
            try await core.disableMount(path: String(path.dropFirst("mounts/".count)))
            return nil
        case (.read, "key-status"):
            guard let status = core.barrier.keyStatus() else { throw LogicalError.sealed }
            return Response(
                data: [
                    "term": .int(Int64(status.term)),
                    "install_time": .string(ISO8601.string(from: status.installTime)),
                    "encryptions": .int(Int64(status.encryptions)),
                ],
                injectDataAtTopLevel: true
            )
        case (.update, "rotate"), (.create, "rotate"):
            let term = try await core.barrier.rotate()
            core.logger.info("core: barrier key rotated", metadata: ["term": "\(term.term)"])
            return nil
        default:
            throw LogicalError.unsupportedPath("sys/" + path)
        }
    }

    /// `POST sys/mounts/:path` with `type`, `description`, `config`, `options`, `local`.
    private func enableMount(path: String, data: [String: JSONValue]) async throws -> Response? {
        guard let type = data["type"]?.stringValue, !type.isEmpty else {
            throw LogicalError.invalidRequest("missing type: the secrets engine type is required")
        }
        func string(_ v: JSONValue?, _ name: String) throws -> String {
            guard let v, !v.isNull else { return "" }
            guard let s = v.stringValue else { throw LogicalError.invalidRequest("\(name) must be a string") }
            return s
        }
        func ttl(_ v: JSONValue?, _ name: String) throws -> Int64 {
            guard let v, !v.isNull else { return 0 }
            if let s = v.stringValue {
                if s.isEmpty || s == "system" { return 0 }
                guard let n = VaultDuration.parseSeconds(s) else {
                    throw LogicalError.invalidRequest("invalid \(name): \"\(s)\" is not a duration")
                }
                return n
            }
            guard let n = v.intValue, n >= 0 else { throw LogicalError.invalidRequest("invalid \(name)") }
            return n
        }
        var options: [String: String] = [:]
        if let raw = data["options"], !raw.isNull {
            guard let object = raw.objectValue else { throw LogicalError.invalidRequest("options must be an object") }
            for (key, value) in object {
                guard let s = value.stringValue ?? value.intValue.map({ String($0) }) else {
                    throw LogicalError.invalidRequest("option \(key) must be a string")
                }
                options[key] = s
            }
        }
        let config = data["config"]?.objectValue ?? [:]
        var local = false
        if let raw = data["local"], !raw.isNull {
            guard let b = raw.boolValue else { throw LogicalError.invalidRequest("local must be a boolean") }
            local = b
        }
        try await core.enableMount(
            path: path, type: type, description: try string(data["description"], "description"), local: local,
            options: options, defaultLeaseTTL: try ttl(config["default_lease_ttl"], "default_lease_ttl"),
            maxLeaseTTL: try ttl(config["max_lease_ttl"], "max_lease_ttl")
        )
        return nil
    }
}
