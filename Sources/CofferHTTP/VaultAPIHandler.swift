public import CofferCore
import CofferJSON
import CofferLogical
import Foundation
import HTTPTypes
import HummingbirdCore
public import Logging
import NIOCore

/// The `/v1` surface: turns HTTP requests into Core calls and Core answers into Vault's
/// envelopes. Stateless; one instance serves every connection.
public struct VaultAPIHandler: Sendable {
    /// Vault's default request body limit.
    public static let maxBodyBytes = 32 * 1024 * 1024

    let core: Core
    let logger: Logger

    public init(core: Core, logger: Logger) {
        self.core = core
        self.logger = logger
    }

    /// The Hummingbird responder closure.
    var responder: HTTPChannelHandler.Responder {
        { request, writer, channel in
            try await self.respond(request, writer: writer, remoteAddress: channel.remoteAddress?.ipAddress)
        }
    }

    func respond(_ request: HummingbirdCore.Request, writer: consuming ResponseWriter, remoteAddress: String?) async throws {
        var reply: Reply
        do {
            reply = try await route(request, remoteAddress: remoteAddress)
        } catch {
            // The path without its query string: query parameters are request data.
            let path = (request.head.path ?? "").prefix { $0 != "?" }
            let logical = core.clientError(error, path: String(path))
            reply = Reply(status: ErrorStatus.status(for: logical.code), body: Envelope.error(logical))
            // A secondary's lag headers travel on errors too (a 412 says how far behind).
            reply.extraHeaders = core.replicationResponseHeaders(wrote: false, recordState: false)
        }
        try await reply.write(to: writer, isHead: request.method == .head)
    }

    private func route(_ request: HummingbirdCore.Request, remoteAddress: String?) async throws -> Reply {
        // The raw request target: Hummingbird's URI parser gives up on some malformed
        // escapes, and Vault's paths need decoding exactly once, here.
        let target = request.head.path ?? "/"
        let queryStart = target.firstIndex(of: "?")
        let rawPath = target[..<(queryStart ?? target.endIndex)]
        let rawQuery = queryStart.map { String(target[target.index(after: $0)...]) }
        guard rawPath.hasPrefix("/v1/") else {
            return Reply(status: .notFound, body: Envelope.errors([]))
        }
        var path = try RequestParsing.percentDecode(rawPath.dropFirst(4))
        while path.contains("//") { path = path.replacingOccurrences(of: "//", with: "/") }
        if let namespace = request.headers[Self.namespaceHeader], !["", "root", "root/"].contains(namespace) {
            return Reply(status: .notFound, body: Envelope.errors(["namespace not found"]))
        }
        let query = try RequestParsing.query(rawQuery)
        if let reply = try await systemEndpoint(path: path, request: request, query: query, remoteAddress: remoteAddress) {
            return reply
        }
        return try await logical(path: path, request: request, query: query, remoteAddress: remoteAddress)
    }

    // MARK: logical requests

    private func logical(
        path: String, request: HummingbirdCore.Request, query: [String: String], remoteAddress: String?
    ) async throws -> Reply {
        var path = path
        var operation: CofferLogical.Operation
        switch request.method.rawValue {
        case "GET":
            if let list = query["list"] {
                guard let flag = RequestParsing.parseBool(list) else {
                    throw LogicalError.invalidRequest("the list parameter must be a boolean (true or false)")
                }
                operation = flag ? .list : .read
            } else {
                operation = .read
            }
        case "LIST", ListMethodRewriter.rewrittenMethod: operation = .list
        case "PUT", "POST": operation = .update
        case "DELETE": operation = .delete
        case "PATCH":
            let contentType = request.headers[.contentType] ?? ""
            guard contentType.lowercased().hasPrefix("application/merge-patch+json") else {
                throw LogicalError(.unsupportedMediaType,
                    "PATCH requires Content-Type of application/merge-patch+json, provided \(contentType)")
            }
            operation = .patch
        default:
            throw LogicalError(.unsupportedOperation, "unsupported operation: method \(request.method.rawValue) is not allowed")
        }
        if operation == .list, !path.hasSuffix("/") { path += "/" }
        let wrapTTL = try Self.wrapTTL(request)

        var data: [String: JSONValue]
        switch operation {
        case .read, .list, .delete:
            data = query.filter { $0.key != "list" }.mapValues { .string($0) }
            if operation == .delete {
                let body = try await readBody(request)
                for (k, v) in try RequestParsing.body(body, contentType: request.headers[.contentType]) { data[k] = v }
            }
        default:
            let body = try await readBody(request)
            data = try RequestParsing.body(body, contentType: request.headers[.contentType])
        }

        let requestID = UUID().uuidString.lowercased()
        let logicalRequest = CofferLogical.Request(
            id: requestID, operation: operation, path: path, data: data, wrapTTL: wrapTTL, remoteAddress: remoteAddress
        )
        let consistency = try Self.consistency(request)
        let forward = consistency.isEmpty ? false : try await core.checkConsistency(consistency) == .forwardToPrimary
        let wrote = ![.read, .list].contains(operation)
        var reply: Reply
        if let response = try await core.handle(logicalRequest, clientToken: clientToken(request), forwardToPrimary: forward) {
            if let raw = response.rawBody { return .raw(raw) }
            let status: HTTPResponse.Status = response.statusCode.map { HTTPResponse.Status(code: $0) } ?? .ok
            reply = Reply(status: status, body: Envelope.success(response, requestID: requestID))
        } else if operation == .read || operation == .list {
            reply = Reply(status: .notFound, body: Envelope.errors([]))
        } else {
            reply = Reply(status: .noContent, body: nil)
        }
        reply.extraHeaders = core.replicationResponseHeaders(wrote: wrote, recordState: consistency.recordState)
        return reply
    }

    static let indexHeader = HTTPField.Name("X-Vault-Index")!
    static let inconsistentHeader = HTTPField.Name("X-Vault-Inconsistent")!
    static let forwardHeader = HTTPField.Name("X-Vault-Forward")!
    static let stalenessHeader = HTTPField.Name("X-Coffer-Max-Staleness-Ms")!
    static let recordStateHeader = HTTPField.Name("X-Coffer-Record-Index")!

    /// The consistency headers (see ``ConsistencyRequest``); a malformed staleness bound
    /// is a 400. `X-Vault-Index` may repeat; a request carrying it also gets the state of
    /// its answer back, as does one with `X-Coffer-Record-Index: true`.
    static func consistency(_ request: HummingbirdCore.Request) throws -> ConsistencyRequest {
        var consistency = ConsistencyRequest()
        consistency.requiredStates = request.headers[values: indexHeader].filter { !$0.isEmpty }
        consistency.inconsistent = request.headers[inconsistentHeader]
        consistency.forward = request.headers[forwardHeader]
        if let text = request.headers[stalenessHeader] {
            guard let millis = Int64(text.trimmingCharacters(in: .whitespaces)), millis >= 0 else {
                throw LogicalError.invalidRequest("X-Coffer-Max-Staleness-Ms must be a non-negative number of milliseconds")
            }
            consistency.maxStalenessMillis = millis
        }
        let record = request.headers[recordStateHeader].flatMap(RequestParsing.parseBool) ?? false
        consistency.recordState = record || !consistency.requiredStates.isEmpty
        return consistency
    }

    // MARK: helpers

    static let tokenHeader = HTTPField.Name("X-Vault-Token")!
    static let wrapTTLHeader = HTTPField.Name("X-Vault-Wrap-TTL")!
    static let namespaceHeader = HTTPField.Name("X-Vault-Namespace")!

    /// `X-Vault-Token`, else the first `Authorization: Bearer` value.
    func clientToken(_ request: HummingbirdCore.Request) -> String? {
        if let token = request.headers[Self.tokenHeader], !token.isEmpty { return token }
        for value in request.headers[values: .authorization] where value.hasPrefix("Bearer ") {
            return String(value.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// `X-Vault-Wrap-TTL` in seconds (a number of seconds or a Go duration); nil when
    /// absent or empty.
    static func wrapTTL(_ request: HummingbirdCore.Request) throws -> Int64? {
        guard let text = request.headers[wrapTTLHeader], !text.isEmpty else { return nil }
        guard let seconds = VaultDuration.parseSeconds(text), seconds > 0 else {
            throw LogicalError.invalidRequest("error parsing X-Vault-Wrap-TTL: \"\(text.prefix(32))\" is not a positive duration")
        }
        return seconds
    }

    /// The whole body, refusing more than ``maxBodyBytes``.
    func readBody(_ request: HummingbirdCore.Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            throw Self.tooLarge
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: Self.maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw Self.tooLarge
        }
    }

    static let tooLarge = LogicalError(
        .requestTooLarge, "http: request body too large (the limit is \(maxBodyBytes / 1024 / 1024) MiB)"
    )
}
