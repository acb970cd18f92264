#!/usr/bin/env bash
# Replication in operation (issue 6), one run on loopback, release dev servers:
#   1. WAL overhead: KV v1 write throughput (BENCH_CONNECTIONS connections) on a server
#      with replication disabled vs the same server as a performance primary (no
#      secondary attached), alternating BENCH_ROUNDS times in ABBA order (primary/enable, primary/disable between runs);
#      medians and their ratio. Then once more with one secondary streaming.
#   2. Replication throughput: BENCH_REPL_KEYS writes on the primary while the secondary
#      streams; records per second the secondary applied, from the first write until its
#      last_remote_wal equals the primary's last_wal.
#   3. Catch-up after missing BENCH_REPL_KEYS writes: the secondary is frozen (SIGSTOP)
#      while the primary takes the writes (far more than the 16,384 records it retains,
#      so the WAL tail is gone), then resumed (SIGCONT); time until it streams again with
#      the primary's Merkle root (it must go through merkle-diff / merkle-sync).
#
#   benchmarks/replication_ops.sh                        # build release, 100k keys
#   BENCH_SKIP_BUILD=1 BENCH_REPL_KEYS=20000 benchmarks/replication_ops.sh
#   BENCH_STORAGE=sqlite benchmarks/replication_ops.sh    # section 1 only, on a primary
#       with SQLite storage (the embedded default; initialised and unsealed here)
#   BENCH_WAL_ONLY=1 benchmarks/replication_ops.sh       # section 1 only
#   BENCH_KEY_SPACE=50000 ...                            # writers cycle over 50,000 keys per
#       thread (kv_write.lua), so the store stops growing across runs and rounds
#   BENCH_CATCHUP_ONLY=1 benchmarks/replication_ops.sh   # section 3 only, on fresh servers
#       (after sections 1 and 2 the primary holds ~1M more keys, which the Merkle diff walks)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
KEYS=${BENCH_REPL_KEYS:-100000}
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
SCRATCH=${BENCH_SCRATCH:-$ROOT/.build-release}
P_PORT=${BENCH_PRIMARY_PORT:-18600}
S_PORT=${BENCH_SECONDARY_PORT:-18700}
OUT=${BENCH_OUT:-/tmp/coffer-repl-ops-$(date +%Y%m%d-%H%M%S)}
source "$HERE/replication_common.sh"
STORAGE=${BENCH_STORAGE:-inmem}
ROOT_TOKEN=root
if [[ "$STORAGE" == sqlite ]]; then
    mkdir -p "$OUT/p"
    cat >"$OUT/p/config.hcl" <<EOF
storage "sqlite" {
  path = "$OUT/p/coffer.db"
}
listener "tcp" {
  address         = "127.0.0.1:$P_PORT"
  cluster_address = "127.0.0.1:$((P_PORT + 1))"
  tls_disable     = true
}
api_addr     = "http://127.0.0.1:$P_PORT"
cluster_addr = "https://127.0.0.1:$((P_PORT + 1))"
EOF
    HOME="$OUT/p" "$BIN" server -config="$OUT/p/config.hcl" -log-level=warn >"$OUT/primary.log" 2>&1 &
    pids+=($!)
else
    start_dev_primary
fi
start_dev_secondary
wait_healthy "$P" "$S"
if [[ "$STORAGE" == sqlite ]]; then
    init=$(curl -sf -X PUT "$P/v1/sys/init" -d '{"secret_shares":1,"secret_threshold":1}') || die "sys/init failed"
    key=$(python3 -c "import sys,json; print(json.load(sys.stdin)['keys_base64'][0])" <<<"$init")
    ROOT_TOKEN=$(python3 -c "import sys,json; print(json.load(sys.stdin)['root_token'])" <<<"$init")
    curl -sf -X PUT "$P/v1/sys/unseal" -d "{\"key\":\"$key\"}" | grep -q '"sealed":false' || die "unseal failed"
fi
onP() { VAULT_ADDR=$P VAULT_TOKEN=$ROOT_TOKEN "$BIN" "$@"; }
onS() { VAULT_ADDR=$S VAULT_TOKEN=sec "$BIN" "$@"; }

onP secrets enable -path=kv1 -version=1 kv >/dev/null
onP secrets enable -path=kv2 -version=1 kv >/dev/null
export BENCH_MOUNT=kv1 BENCH_KV_VERSION=1

write_rps() {  # $1 tag → prints the median-free single figure (req/s) of one wrk run
    COFFER_TOKEN=$ROOT_TOKEN BENCH_RUN="$1" timeout $((DURATION + 30)) wrk -t2 -c"$CONNECTIONS" -d${DURATION}s --timeout 5s \
        -s "$HERE/kv_write.lua" "$P" >"$OUT/write-$1.txt" 2>&1
    local line; line=$(grep '^RESULT ' "$OUT/write-$1.txt") || die "no result in $OUT/write-$1.txt"
    grep -q 'errors=0 non2xx=0' <<<"$line" || die "writes failed: $line"
    sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line"
}

CATCHUP_ONLY=${BENCH_CATCHUP_ONLY:-0}
if [[ "$CATCHUP_ONLY" != 1 ]]; then
echo "==> 1. WAL overhead on the primary's write rate ($STORAGE storage, $ROUNDS rounds, ${DURATION}s each, $CONNECTIONS connections)"
plain=() logged=()
# Every run adds ~100k keys, and a larger store writes a little slower: odd rounds run
# disabled first, even rounds primary first (ABBA), so that drift does not count as WAL cost.
for round in $(seq "$ROUNDS"); do
    if (( round % 2 == 1 )); then
        plain+=("$(write_rps "plain-$round")")
        onP write -f sys/replication/performance/primary/enable >/dev/null 2>&1
        logged+=("$(write_rps "wal-$round")")
    else
        logged+=("$(write_rps "wal-$round")")
        onP write -f sys/replication/performance/primary/disable >/dev/null 2>&1
        plain+=("$(write_rps "plain-$round")")
    fi
    echo "round $round: disabled ${plain[-1]} req/s, primary ${logged[-1]} req/s"
done
# Leave replication disabled, whichever run came last.
onP write -f sys/replication/performance/primary/disable >/dev/null 2>&1 || true
python3 - "${plain[*]}" "${logged[*]}" <<'EOF'
import statistics, sys
plain = [float(x) for x in sys.argv[1].split()]
logged = [float(x) for x in sys.argv[2].split()]
p, l = statistics.median(plain), statistics.median(logged)
print(f"WAL overhead: median {l:.0f} req/s as primary vs {p:.0f} req/s disabled = {l/p*100:.1f}% ({(1-l/p)*100:+.1f}% cost; goal <= 10%)")
# The same from each round's pair (the two runs of a round are minutes apart, not a run apart).
paired = [(1 - b / a) * 100 for a, b in zip(plain, logged)]
print(f"per-round cost: {', '.join(f'{c:.1f}%' for c in paired)}; median {statistics.median(paired):.1f}%")
EOF
if [[ "$STORAGE" == sqlite || "${BENCH_WAL_ONLY:-0}" == 1 ]]; then
    echo "raw results in $OUT (sections 2 and 3 run on in-memory dev servers only, without BENCH_WAL_ONLY)"
    exit 0
fi
fi

onP write -f sys/replication/performance/primary/enable >/dev/null 2>&1
TOKEN=$(onP write -field=wrapping_token sys/replication/performance/primary/secondary-token id=bench)
onS write sys/replication/performance/secondary/enable token="$TOKEN" >/dev/null 2>&1
for _ in $(seq 600); do [[ "$(field $S state)" == stream-wals ]] && break; sleep 0.1; done
[[ "$(field $S state)" == stream-wals ]] || die "the secondary never streamed"
seconds=$(( KEYS / 2000 + 10 ))
if [[ "$CATCHUP_ONLY" != 1 ]]; then
echo "with a secondary streaming: $(write_rps with-secondary) req/s"

echo "==> 2. replication throughput: $KEYS writes while the secondary streams"
start_wal=$(field $P last_wal)
start=$(now_ms)
COFFER_TOKEN=root BENCH_KEYS=$KEYS timeout $((seconds + 60)) wrk -t1 -c$CONNECTIONS -d${seconds}s -s "$HERE/kv_populate.lua" "$P" >"$OUT/populate-streaming.txt" 2>&1 &
wrk_pid=$!
# The populate script stops writing once it is done but wrk waits out -d: watch the WAL.
target=""
while true; do
    pw=$(field $P last_wal); sw=$(field $S last_remote_wal)
    if ! kill -0 $wrk_pid 2>/dev/null || (( pw - start_wal >= KEYS )); then target=$pw; fi
    if [[ -n "$target" ]] && (( sw >= target )); then break; fi
    (( $(now_ms) - start > 600000 )) && die "the secondary never caught up"
    sleep 0.02
done
end=$(now_ms)
kill $wrk_pid 2>/dev/null || true; wait $wrk_pid 2>/dev/null || true
records=$(( target - start_wal ))
python3 -c "print(f'replication throughput: {$records} records in {($end-$start)/1000:.2f} s = {$records/(($end-$start)/1000):.0f} records/s applied on the secondary (first write → last_remote_wal = last_wal)')"
fi

echo "==> 3. catch-up after $KEYS missed writes (secondary frozen, WAL tail gone)"
export BENCH_MOUNT=kv2
kill -STOP "$S_PID"
COFFER_TOKEN=root BENCH_KEYS=$KEYS timeout $((seconds + 60)) wrk -t1 -c$CONNECTIONS -d${seconds}s -s "$HERE/kv_populate.lua" "$P" >"$OUT/populate-missed.txt" 2>&1
grep POPULATED "$OUT/populate-missed.txt" || die "populate failed (see $OUT/populate-missed.txt)"
proot=$(field $P merkle_root)
diffs_before=$(grep -c "state=merkle-diff" "$OUT/secondary.log" || true)
kill -CONT "$S_PID"
start=$(now_ms)
while true; do
    state=$(field $S state); sroot=$(field $S merkle_root)
    [[ "$state" == stream-wals && "$sroot" == "$proot" ]] && break
    (( $(now_ms) - start > 600000 )) && die "no catch-up within 10 minutes"
    sleep 0.02
done
catchup=$(( $(now_ms) - start ))
(( $(grep -c "state=merkle-diff" "$OUT/secondary.log") > diffs_before )) || die "the catch-up did not go through merkle-diff"
echo "catch-up: $KEYS missed writes, $catchup ms from SIGCONT to stream-wals with equal merkle_root (goal <= 10 s)"
echo "raw results in $OUT"
