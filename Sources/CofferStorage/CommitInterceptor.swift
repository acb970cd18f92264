/// Sees every commit of a backend in commit order, inside the backend's atomic step.
///
/// This is how a replication layer keeps a write-ahead log that never disagrees with the
/// data: it turns the step's batches into extra operations (log records), which the
/// backend applies in the same atomic step, after the batches.
///
/// The backend drives one step at a time, serialised with every other commit:
///
/// 1. ``prepare(_:)`` with the step's batches, in order (one batch, or a group-commit
///    group). If it throws, nothing of the step is applied, the callers get the error
///    unchanged, and neither ``committed()`` nor ``aborted()`` follows: a throwing
///    `prepare` must leave the interceptor as it found it.
/// 2. Exactly one of ``committed()`` (the step, with the returned operations, is durable)
///    or ``aborted()`` (it was rolled back, for example because `COMMIT` failed or another
///    batch of the group was refused). After `aborted()` the backend may prepare the same
///    batches again, one by one (``SQLiteBackend``'s failure isolation).
///
/// Empty batches never reach the interceptor. All three calls run synchronously on the
/// backend's writer (``SQLiteBackend``) or under its lock (``InMemoryBackend``): they must
/// be quick and must never call back into the backend, which would deadlock.
public protocol CommitInterceptor: AnyObject, Sendable {
    /// Inside the atomic step, serialised with every other commit of this backend, with the step's
    /// batches in order. Returns operations to apply in the same atomic step, after the batches.
    /// Throwing aborts the whole step (nothing is applied); the error reaches the callers unchanged.
    func prepare(_ batches: [StorageBatch]) throws -> [StorageOperation]

    /// The step last prepared is durable. Called before any of its committers is resumed, still serialised.
    func committed()

    /// The step last prepared was rolled back (the backend may retry its batches one by one).
    func aborted()

    /// Key prefixes that hold the interceptor's own keys, written through its returned
    /// operations and read back rarely (a replication log's records). A backend may keep
    /// keys under them out of its read cache, which spares it forgetting every key the
    /// interceptor writes. Read once, when the interceptor is installed. Default: none.
    var uncachedKeyPrefixes: [String] { get }
}

extension CommitInterceptor {
    public var uncachedKeyPrefixes: [String] { [] }
}

/// A backend that accepts a commit interceptor (both built-in backends do).
public protocol InterceptableStorage: StorageBackend {
    /// Installs `interceptor` (nil removes it); it sees every step that starts afterwards.
    ///
    /// A step already running finishes with the interceptor it started with. The backend
    /// holds the interceptor strongly: an interceptor that holds the backend forms a cycle
    /// until it is removed.
    func setCommitInterceptor(_ interceptor: (any CommitInterceptor)?)
}
