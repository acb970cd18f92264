import NIOCore
import NIOHTTP1

/// Lets the `LIST` HTTP method through NIO's HTTP/1 parser.
///
/// Vault clients (hvac, the Go api client) send `LIST /v1/...`. NIO's parser (llhttp)
/// knows a fixed set of methods and rejects `LIST` as a parse error. This handler sits
/// in front of the parser and, at the start of each request, rewrites the four bytes
/// `LIST` to `BIND`, a method llhttp knows and Vault never uses; the HTTP layer reads
/// `BIND` back as LIST. (A client sending a genuine BIND therefore gets LIST semantics.)
///
/// Request boundaries come from ``RequestEndObserver`` behind the parser, which marks the
/// end of each request; the parser runs synchronously inside `channelRead`, so the flag
/// is set before the next read arrives. A LIST pipelined into the same read as the
/// previous request is not rewritten and gets a 400; Vault clients do not pipeline.
final class ListMethodRewriter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let listPrefix: [UInt8] = Array("LIST ".utf8)
    static let replacement: [UInt8] = Array(rewrittenMethod.utf8)
    /// What `LIST` arrives as, after the rewrite.
    static let rewrittenMethod = "BIND"

    var atRequestStart = true
    private var pending: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard atRequestStart else {
            context.fireChannelRead(data)
            return
        }
        if var held = pending.take() {
            held.writeBuffer(&buffer)
            buffer = held
        }
        let readable = buffer.readableBytesView
        let n = min(readable.count, Self.listPrefix.count)
        if readable.prefix(n).elementsEqual(Self.listPrefix.prefix(n)) {
            if n < Self.listPrefix.count {
                pending = buffer  // could still become "LIST "; wait for more bytes
                return
            }
            buffer.setBytes(Self.replacement, at: buffer.readerIndex)
        }
        atRequestStart = false
        context.fireChannelRead(wrapInboundOut(buffer))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let held = pending.take() { context.fireChannelRead(wrapInboundOut(held)) }
        context.fireChannelInactive()
    }
}

/// Sits behind the HTTP/1 parser and tells ``ListMethodRewriter`` where requests end.
final class RequestEndObserver: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let rewriter: ListMethodRewriter

    init(rewriter: ListMethodRewriter) {
        self.rewriter = rewriter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { rewriter.atRequestStart = true }
        context.fireChannelRead(data)
    }
}
