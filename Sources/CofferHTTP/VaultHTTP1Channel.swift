import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel, plus ``ListMethodRewriter`` in front of the parser
/// so the `LIST` method reaches Coffer.
struct VaultHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    static let idleTimeout: Duration = .seconds(300)

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let rewriter = ListMethodRewriter()
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(rewriter)
            try sync.configureHTTPServerPipeline(
                withPipeliningAssistance: false,
                withErrorHandling: false,
                withOutboundHeaderValidation: false
            )
            try sync.addHandler(RequestEndObserver(rewriter: rewriter))
            try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            // Closes idle keep-alive connections on graceful shutdown (and after the idle
            // timeout), so SIGTERM does not wait for clients to hang up.
            try sync.addHandler(HTTPConnectionStateHandler(idleTimeout: Self.idleTimeout, logger: logger))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel,
                configuration: .init(isOutboundHalfClosureEnabled: true)
            )
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
