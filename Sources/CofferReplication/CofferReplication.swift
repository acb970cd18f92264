/// Replication's pure parts (docs/architecture.md, "Replication"): the write-ahead log,
/// the Merkle index over replicated keys, and the state machines of the primary's log
/// shipper and the secondary's replicator. Nothing here opens a socket or reads a clock.
public enum CofferReplication {}
