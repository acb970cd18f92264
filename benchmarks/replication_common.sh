# Shared by replication.sh and replication_ops.sh (sourced, not run): the release build,
# the two servers' processes and their cleanup, and the status helpers. The sourcing
# script sets HERE, ROOT, OUT, SCRATCH, P_PORT and S_PORT first.
mkdir -p "$OUT"
die() { echo "$(basename "$0"): $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is needed (apt-get install wrk)"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product coffer >"$OUT/build.log" 2>&1) \
        || die "release build failed (see $OUT/build.log)"
fi
BIN=$SCRATCH/release/coffer
export BENCH_DIR="$HERE"
P=http://127.0.0.1:$P_PORT S=http://127.0.0.1:$S_PORT

pids=()
S_PID=
cleanup() {
    # A secondary frozen with SIGSTOP would not die from SIGTERM.
    [[ -n "$S_PID" ]] && kill -CONT "$S_PID" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# start_dev_secondary: the secondary, a release dev server (root token "sec") in $OUT/s.
start_dev_secondary() {
    HOME="$OUT/s" "$BIN" server -dev -dev-root-token-id=sec -dev-listen-address=127.0.0.1:$S_PORT >"$OUT/secondary.log" 2>&1 &
    S_PID=$!
    pids+=($S_PID)
}

# start_dev_primary: the primary, a release dev server (root token "root") in $OUT/p.
start_dev_primary() {
    HOME="$OUT/p" "$BIN" server -dev -dev-root-token-id=root -dev-listen-address=127.0.0.1:$P_PORT >"$OUT/primary.log" 2>&1 &
    pids+=($!)
}

wait_healthy() {
    for url in "$@"; do
        for _ in $(seq 100); do curl -sf "$url/v1/sys/health" >/dev/null && break; sleep 0.1; done
    done
}

now_ms() { date +%s%3N; }
# field URL NAME: one field of sys/replication/performance/status.
field() { curl -sf "$1/v1/sys/replication/performance/status" | python3 -c "import sys,json; d=json.load(sys.stdin)['data']; print(d.get('$2',''))" 2>/dev/null; }
