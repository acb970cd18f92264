import NIOCore
import NIOSSL

/// Closes an accepted connection whose TLS handshake has not completed within a deadline,
/// so a peer that connects and stalls cannot hold a socket on the cluster port (Vault
/// applies the same 30-second bound).
///
/// Sits right after the `NIOSSLServerHandler`, which passes nothing inbound until the
/// handshake has completed: the first read to arrive is decrypted application data (the
/// HTTP/2 preface a gRPC client sends at once), proof the handshake is done. The handler
/// then cancels its timer, passes the read on and removes itself. (The handshake event
/// itself is `NIOTLS.TLSUserEvent`, a module this target does not depend on.)
final class TLSHandshakeDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// Adds the handler after the connection's TLS handler. Called from the transport's
    /// accepted-connection hook, on the channel's event loop.
    static func install(on channel: any Channel, timeout: TimeAmount) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            let tls = try pipeline.handler(type: NIOSSLServerHandler.self)
            try pipeline.addHandler(TLSHandshakeDeadlineHandler(timeout: timeout), position: .after(tls))
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            loopBoundContext.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        timer?.cancel()
        timer = nil
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
