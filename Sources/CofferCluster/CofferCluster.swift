/// The cluster link (docs/architecture.md, "Replication"): gRPC over mutual TLS between a
/// primary and its secondaries, the replication set's certificate authority, activation
/// tokens, and the shells that run the replication state machines.
public enum CofferCluster {}
