#!/usr/bin/env bash
# Performance replication figures on loopback (issue 5), one run:
#   1. initial sync: a primary holding BENCH_REPL_KEYS KV v1 secrets; time from
#      `secondary/enable` until the secondary streams with the primary's Merkle root;
#   2. forwarded write latency: the same single-connection KV v1 write load against the
#      primary and against the secondary (which forwards it and waits until it has applied
#      the primary's index), p50/p99 and the ratio.
#   3. visibility lag: writes at BENCH_LAG_RATE/s (1,000) on the primary, each timed from
#      its acknowledgement until a reader on the secondary first sees it
#      (replication_lag.py), p50/p99.
# Both servers are release dev servers (in-memory storage).
#
#   benchmarks/replication.sh                       # build release, 100k keys
#   BENCH_SKIP_BUILD=1 BENCH_REPL_KEYS=20000 benchmarks/replication.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
KEYS=${BENCH_REPL_KEYS:-100000}
DURATION=${BENCH_DURATION:-10}
SCRATCH=${BENCH_SCRATCH:-$ROOT/.build-release}
P_PORT=${BENCH_PRIMARY_PORT:-18400}
S_PORT=${BENCH_SECONDARY_PORT:-18500}
OUT=${BENCH_OUT:-/tmp/coffer-repl-bench-$(date +%Y%m%d-%H%M%S)}
source "$HERE/replication_common.sh"
start_dev_primary
start_dev_secondary
wait_healthy "$P" "$S"

VAULT_ADDR=$P VAULT_TOKEN=root "$BIN" write -f sys/replication/performance/primary/enable >/dev/null
# A KV v1 mount (the dev `secret/` is KV v2), replicated.
VAULT_ADDR=$P VAULT_TOKEN=root "$BIN" secrets enable -path=kv1 -version=1 kv >/dev/null
export BENCH_MOUNT=kv1 BENCH_KV_VERSION=1

echo "==> populating $KEYS keys on the primary"
seconds=$(( KEYS / 2000 + 10 ))
COFFER_TOKEN=root BENCH_KEYS=$KEYS timeout $((seconds + 60)) wrk -t1 -c32 -d${seconds}s -s "$HERE/kv_populate.lua" "$P" >"$OUT/populate.txt" 2>&1
grep POPULATED "$OUT/populate.txt" || die "populate failed (see $OUT/populate.txt)"
grep -q "POPULATED written=0 " "$OUT/populate.txt" && die "populate wrote nothing (see $OUT/populate.txt)"

TOKEN=$(VAULT_ADDR=$P VAULT_TOKEN=root "$BIN" write -field=wrapping_token sys/replication/performance/primary/secondary-token id=bench)
start=$(now_ms)
VAULT_ADDR=$S VAULT_TOKEN=sec "$BIN" write sys/replication/performance/secondary/enable token="$TOKEN" >/dev/null
proot=$(field $P merkle_root)
while true; do
    state=$(field $S state); sroot=$(field $S merkle_root)
    [[ "$state" == stream-wals && "$sroot" == "$proot" ]] && break
    (( $(now_ms) - start > 600000 )) && die "no sync within 10 minutes"
    sleep 0.05
done
sync_ms=$(( $(now_ms) - start ))
echo "initial sync: keys=$KEYS millis=$sync_ms (enable → stream-wals with equal merkle_root)"

echo "==> forwarded write latency (1 connection, ${DURATION}s each)"
COFFER_TOKEN=root BENCH_RUN=p timeout $((DURATION + 30)) wrk -t1 -c1 -d${DURATION}s --timeout 5s -s "$HERE/kv_write.lua" "$P" >"$OUT/write-primary.txt" 2>&1
COFFER_TOKEN=root BENCH_RUN=s timeout $((DURATION + 30)) wrk -t1 -c1 -d${DURATION}s --timeout 5s -s "$HERE/kv_write.lua" "$S" >"$OUT/write-secondary.txt" 2>&1
pline=$(grep '^RESULT ' "$OUT/write-primary.txt"); sline=$(grep '^RESULT ' "$OUT/write-secondary.txt")
grep -q 'errors=0 non2xx=0' <<<"$pline" || die "primary writes failed: $pline"
grep -q 'errors=0 non2xx=0' <<<"$sline" || die "secondary writes failed: $sline"
echo "primary   $pline"
echo "secondary $sline"
p50() { sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$1"; }
python3 -c "p=float('$(p50 "$pline")'); s=float('$(p50 "$sline")'); print(f'forwarded/primary write p50: {s:.3f} / {p:.3f} ms = {s/p:.2f}x (goal <= 1.5x)')"
echo "==> visibility lag at ${BENCH_LAG_RATE:-1000} writes/s"
python3 "$HERE/replication_lag.py" "$P" "$S" root --rate "${BENCH_LAG_RATE:-1000}" --seconds "$DURATION" | tee "$OUT/lag.txt"
echo "raw results in $OUT"
