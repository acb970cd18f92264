import GRPCCore

/// Messages arriving on a cluster-link stream, in order.
///
/// Iteration ends (returns nil) when the peer closes its side of the stream. It throws a
/// ``ClusterError`` when the stream fails: the peer went away or reset the call
/// (``ClusterError/Code/cancelled``, ``ClusterError/Code/unavailable``), the call timed out
/// (``ClusterError/Code/timeout``), or a message could not be decoded
/// (``ClusterError/Code/malformedMessage``). Iterate it from one task only.
public struct ClusterMessageStream<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    private let base: RPCAsyncSequence<Element, any Error>

    /// Wraps any sendable async sequence: for tests, and for handlers that feed messages
    /// from somewhere other than the network.
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == Element, Base.Failure == any Error {
        self.base = RPCAsyncSequence(wrapping: base)
    }

    /// Wraps a non-throwing sequence (an `AsyncStream`).
    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == Element, Base.Failure == Never {
        self.base = RPCAsyncSequence(wrapping: NonThrowingAdapter(base: base))
    }

    init(rpc base: RPCAsyncSequence<Element, any Error>) {
        self.base = base
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RPCAsyncSequence<Element, any Error>.AsyncIterator

        /// The next message, nil at the end of the stream.
        ///
        /// - Throws: ``ClusterError``.
        public mutating func next() async throws -> Element? {
            do {
                return try await base.next()
            } catch {
                throw ClusterError(linkFailure: error)
            }
        }
    }
}

@available(*, unavailable)
extension ClusterMessageStream.AsyncIterator: Sendable {}

/// Presents a sequence that cannot fail as one whose failure type is `any Error`.
private struct NonThrowingAdapter<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Failure == Never {
    typealias Element = Base.Element
    typealias Failure = any Error

    let base: Base

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator

        mutating func next() async throws -> Base.Element? {
            await base.next(isolation: nil)
        }
    }
}

/// The sending half of a cluster-link stream.
///
/// Writes are flow-controlled: ``write(_:)`` suspends while the peer is not reading.
/// Call it from one task at a time; messages go out in call order.
public struct ClusterMessageWriter<Element: Sendable>: Sendable {
    private let sink: @Sendable (Element) async throws -> Void

    /// A writer that hands each message to `sink`: for tests, and for adapting a handler
    /// to another transport.
    public init(_ sink: @escaping @Sendable (Element) async throws -> Void) {
        self.sink = sink
    }

    init(rpc writer: RPCWriter<Element>) {
        self.sink = { message in try await writer.write(message) }
    }

    /// Sends `message`.
    ///
    /// - Throws: ``ClusterError`` when the stream has failed or was closed by the peer.
    public func write(_ message: Element) async throws {
        do {
            try await sink(message)
        } catch {
            throw ClusterError(linkFailure: error)
        }
    }
}
