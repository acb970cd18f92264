/// How far one side of a link is behind the other, in WAL entries and in milliseconds.
///
/// Milliseconds are measured from the moment this side learned it was behind (a record or
/// heartbeat announced a higher index than it had applied) until it has applied that
/// index again; while the link is down, from the last moment it was known caught up. A
/// side that is caught up and connected has lag 0.
struct ReplicationLag: Sendable {
    private(set) var behindSinceMillis: Int64?
    private(set) var lastCaughtUpMillis: Int64

    init(nowMillis: Int64) {
        lastCaughtUpMillis = nowMillis
    }

    mutating func observe(applied: UInt64, target: UInt64, connected: Bool, nowMillis: Int64) {
        if connected && applied >= target {
            behindSinceMillis = nil
            lastCaughtUpMillis = nowMillis
        } else if behindSinceMillis == nil {
            behindSinceMillis = connected ? nowMillis : lastCaughtUpMillis
        }
    }

    func millis(nowMillis: Int64) -> Int64 {
        behindSinceMillis.map { max(0, nowMillis - $0) } ?? 0
    }
}
