import CofferBarrier
public import CofferJSON
public import CofferLogical
import CofferStorage

/// Audit devices: the pipeline's two audit stages, and enabling, disabling, listing and
/// hashing (`sys/audit`, `sys/audit-hash`). The devices live in ``ActiveState/audit``;
/// their table rows in `core/audit` / `core/local-audit` (the mount-table format), each
/// device's salt beside them (``AuditSalt``).
extension Core {
    // MARK: pipeline stages

    /// Writes the request entry to every enabled device; called after the ACL check and
    /// before the backend. With no device enabled this is one check of the snapshot.
    /// Throws a 500 when devices are enabled and none could write (fail closed).
    func auditRequest(context: RequestContext, active: ActiveState) async throws {
        let broker = active.audit
        if broker.isEmpty { return }
        try broker.logRequest(auditInput(context), logger: logger)
    }

    /// Writes the response entry (`response`, or the `error` the client receives) to
    /// every enabled device. Throws a 500 when devices are enabled and none could write:
    /// the client then gets that error instead of the answer.
    func auditResponse(_ response: Response?, error: (any Error)?, context: RequestContext, active: ActiveState) async throws {
        let broker = active.audit
        if broker.isEmpty { return }
        var input = auditInput(context)
        input.response = response
        input.error = error.map(Self.auditErrorText)
        try broker.logResponse(input, logger: logger)
    }

    /// Audits a `sys/` call the HTTP layer serves outside the request pipeline, as Vault
    /// audits it: `sys/generate-root/*` (unauthenticated: the key shares are the
    /// authority). A request entry before `body` runs, failing closed like the pipeline
    /// (no device could write: a 500 and `body` never runs); then a response entry with
    /// `responseData` of the result, or the error the client gets. Every string of the
    /// response (an encoded root token, an OTP, a nonce) is HMAC'd like any response data.
    /// The request's body is not in the entry: the handler reads it. (`sys/rekey/*` is
    /// never audited, as in Vault.)
    public func auditUnrouted<Result: Sendable>(
        path: String, operation: CofferLogical.Operation, remoteAddress: String?,
        responseData: (Result) -> [String: JSONValue]?,
        _ body: () async throws -> Result
    ) async throws -> Result {
        guard let broker = active?.audit, !broker.isEmpty else { return try await body() }
        let request = Request(id: TokenGenerator.uuid(), operation: operation, path: path, remoteAddress: remoteAddress)
        var input = AuditInput(time: Timestamp(clock()), request: request, fullPath: path, auth: nil, mount: nil, clientToken: nil)
        try broker.logRequest(input, logger: logger)
        let result: Result
        do {
            result = try await body()
        } catch {
            input.time = Timestamp(clock())
            input.error = Self.auditErrorText(error)
            try? broker.logResponse(input, logger: logger)
            throw error
        }
        input.time = Timestamp(clock())
        input.response = responseData(result).map { Response(data: $0) }
        try broker.logResponse(input, logger: logger)
        return result
    }

    private func auditInput(_ context: RequestContext) -> AuditInput {
        AuditInput(
            time: Timestamp(clock()), request: context.request, fullPath: context.fullPath, auth: context.auth,
            mount: context.mount, clientToken: context.clientToken)
    }

    /// What the client reads of an error (LogicalError messages never hold secrets).
    private static func auditErrorText(_ error: any Error) -> String {
        guard let logical = error as? LogicalError else { return "internal error" }
        return logical.messages.joined(separator: "; ")
    }

    // MARK: management

    /// `PUT sys/audit/:path`: checks the options, opens the device's file (a 400 naming
    /// the file and the OS error when it cannot), creates its salt, persists the table row
    /// and the salt in one batch, then publishes the new device set. Entries of requests
    /// that started before the publication do not reach the new device.
    public func enableAudit(
        path rawPath: String, type: String, description: String = "", local: Bool = false, options: [String: String]
    ) async throws {
        let path = try Self.normalizeMountPath(rawPath, checkReserved: false)
        let parsed = try AuditDeviceOptions(type: type, options: options)
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            for existing in active.audit.devices where path.hasPrefix(existing.path) || existing.path.hasPrefix(path) {
                throw LogicalError.invalidRequest("path already in use: an audit device is enabled at \"\(existing.path)\"")
            }
            if case .file = parsed.destination,
                let twin = active.audit.devices.first(where: { $0.options.destination == parsed.destination })
            {
                throw LogicalError.invalidRequest(
                    "file_path \"\(parsed.destination)\" is already used by the audit device at \"\(twin.path)\"")
            }
            let entry = MountEntry(
                path: path, type: type, description: description, uuid: TokenGenerator.uuid(),
                accessor: "audit_\(type)_" + String(TokenGenerator.uuid().prefix(8)), local: local, options: options)
            let salt = AuditSalt.generate()
            let device: AuditDevice
            do {
                device = try AuditDevice(entry: entry, salt: salt)
            } catch let error as AuditError {
                throw LogicalError.invalidRequest("cannot enable the audit device at \"\(path)\": \(error.message): "
                    + (error.errno.map(AuditError.describe) ?? "unknown error"))
            }
            let tableKey = local ? StorageKeys.localAudit : StorageKeys.audit
            let table = try await loadTable(tableKey) + [entry]
            try await barrier.commit(StorageBatch([
                .put(key: tableKey, value: JSONWriter.bytes(MountTableRecord(entries: table).storageValue)),
                .put(key: AuditSalt.storageKey(uuid: entry.uuid, local: local), value: JSONWriter.bytes(salt.storageValue)),
            ]))
            try await activate(audit: AuditBroker(devices: active.audit.devices + [device]))
            logger.info("core: audit device enabled", metadata: ["path": "\(path)", "type": "\(type)"])
        }
    }

    /// `DELETE sys/audit/:path`: removes the row and the salt (later hashes of the same
    /// value differ) and publishes the smaller device set. Nothing enabled there is not
    /// an error (Vault answers 204 either way). The file closes once the requests still
    /// holding the old snapshot finish.
    public func disableAudit(path rawPath: String) async throws {
        let path = try Self.normalizeMountPath(rawPath, checkReserved: false)
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            guard let device = active.audit.device(path: path) else { return }
            let local = device.entry.local
            let tableKey = local ? StorageKeys.localAudit : StorageKeys.audit
            let table = try await loadTable(tableKey).filter { $0.path != path }
            try await barrier.commit(StorageBatch([
                .put(key: tableKey, value: JSONWriter.bytes(MountTableRecord(entries: table).storageValue)),
                .delete(key: AuditSalt.storageKey(uuid: device.entry.uuid, local: local)),
            ]))
            try await activate(audit: AuditBroker(devices: active.audit.devices.filter { $0.path != path }))
            logger.info("core: audit device disabled", metadata: ["path": "\(path)"])
        }
    }

    /// `GET sys/audit`: `{"<path>/": {"type","description","options","local","path"}}`.
    public func auditDeviceListing() throws -> [String: JSONValue] {
        guard let active else { throw LogicalError.sealed }
        var out: [String: JSONValue] = [:]
        for device in active.audit.devices { out[device.path] = device.listValue }
        return out
    }

    /// `sys/audit-hash/:path`: `input`'s HMAC under that device's salt, as its lines hold
    /// it (whatever the device's `log_raw`). An unknown device is a 400 saying
    /// `unknown audit backend`, which hvac looks for.
    public func auditHash(path rawPath: String, input: String) throws -> String {
        guard let active else { throw LogicalError.sealed }
        let path = try Self.normalizeMountPath(rawPath, checkReserved: false)
        guard let device = active.audit.device(path: path) else {
            throw LogicalError.invalidRequest("unknown audit backend \"\(path)\"")
        }
        return device.salt.hash(input)
    }

    // MARK: unseal

    /// Opens every device of both audit tables (called once per unseal). A device whose
    /// file cannot be opened is logged and left out; if devices are enabled and none
    /// opens, the unseal fails, since every request would fail closed anyway (Vault's rule).
    func loadAuditBroker() async throws -> AuditBroker {
        let entries = try await loadTable(StorageKeys.audit) + loadTable(StorageKeys.localAudit)
        guard !entries.isEmpty else { return AuditBroker() }
        var devices: [AuditDevice] = []
        for entry in entries {
            let key = AuditSalt.storageKey(uuid: entry.uuid, local: entry.local)
            guard let bytes = try await barrier.get(key) else {
                throw CoreError.corrupt("audit device \(entry.path) has no salt")
            }
            let salt: AuditSalt
            do {
                salt = try AuditSalt(storageValue: JSONParser.parse(bytes))
            } catch {
                throw CoreError.corrupt("audit device \(entry.path) has a malformed salt")
            }
            do {
                devices.append(try AuditDevice(entry: entry, salt: salt))
            } catch {
                logger.error("core: audit device could not be set up", metadata: ["path": "\(entry.path)", "error": "\(error)"])
            }
        }
        if devices.isEmpty {
            throw LogicalError(
                .internalError, ["failed to set up the audit devices: none of them could open its file (see the server log)"],
                cause: AuditError(.openFailed, "none of the \(entries.count) enabled audit devices could be set up"))
        }
        return AuditBroker(devices: devices)
    }
}
