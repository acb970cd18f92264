#!/usr/bin/env bash
# Coffer benchmark suite: one command, loopback only, everything it starts is stopped on exit.
#
#   benchmarks/run.sh                 # build release, run all scenarios, print the summary
#   BENCH_DURATION=5 BENCH_REPS=1 BENCH_PROFILE=0 benchmarks/run.sh    # a quick look
#
# Scenarios (wrk, -t$BENCH_THREADS, each run BENCH_DURATION seconds, BENCH_REPS times,
# repetitions interleaved across scenarios so drifting machine load hits all of them alike):
#   baseline-read   bare Hummingbird route returning the same 244-byte envelope
#   coffer-read     authenticated KV v1 read, SQLite storage, release build
#   coffer-mem-read same, in-memory storage (-dev): isolates the storage read cost
#   coffer-audit-read same as coffer-read on a second SQLite server with a file audit
#                   device enabled (audit log on local disk under the work dir; emptied
#                   before each run, its line count recorded); BENCH_AUDIT=0 skips it
#   coffer-kv2-read same as coffer-read on a KV v2 mount (GET /v1/kv2/data/...), when the
#                   server has KV v2
#   coffer-write    durable KV v1 write (distinct keys), SQLite storage
#   coffer-mem-write same, in-memory storage: the write path without SQLite and fsync
#   coffer-kv2-policy-read same KV v2 read with a non-root token whose policy is checked
#   coffer-kv2-write same as coffer-write on the KV v2 mount
#   etcd-put        etcd v3 put through its JSON gateway (distinct keys), default fsync
# Then, with BENCH_PROFILE=1 and a working `perf`, a cpu-clock profile of the SQLite server
# under the read load and under the write load.
#
# Environment (defaults in parentheses): BENCH_DURATION (10), BENCH_REPS (3),
# BENCH_THREADS (2), BENCH_READ_CONNECTIONS (64), BENCH_WRITE_CONNECTIONS (64),
# BENCH_KEYS (1000), BENCH_WARMUP (3, seconds per scenario), BENCH_PROFILE (1),
# BENCH_MAX_LOAD (1.0: wait until the 1-minute load average is below this...),
# BENCH_LOAD_WAIT (600: ...for at most this many seconds, then run anyway and say so),
# BENCH_MAX_OTHER_CPU (10) and BENCH_RUN_WAIT (60): before each measured run, wait up to
# BENCH_RUN_WAIT seconds for other processes to use less than BENCH_MAX_OTHER_CPU % of the
# machine (the summary shows what they used during each run),
# BENCH_BASE_PORT (18000), BENCH_OUT (/tmp/coffer-bench-<timestamp>: results are kept),
# BENCH_SKIP_BUILD (0), BENCH_COFFER (the coffer binary to measure; default the one built
# here), BENCH_INSTALL (1: apt-get install wrk/etcd-server if missing), BENCH_AUDIT (1: run
# coffer-audit-read), BENCH_SCENARIOS (all: a space-separated subset to measure, e.g.
# "coffer-read coffer-audit-read"; the write check runs only when coffer-write and etcd-put do).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

DURATION=${BENCH_DURATION:-10}
REPS=${BENCH_REPS:-3}
THREADS=${BENCH_THREADS:-2}
READ_CONNS=${BENCH_READ_CONNECTIONS:-64}
WRITE_CONNS=${BENCH_WRITE_CONNECTIONS:-64}
KEYS=${BENCH_KEYS:-1000}
WARMUP=${BENCH_WARMUP:-3}
PROFILE=${BENCH_PROFILE:-1}
MAX_LOAD=${BENCH_MAX_LOAD:-1.0}
LOAD_WAIT=${BENCH_LOAD_WAIT:-600}
RUN_WAIT=${BENCH_RUN_WAIT:-60}
MAX_OTHER_CPU=${BENCH_MAX_OTHER_CPU:-10}
BASE_PORT=${BENCH_BASE_PORT:-18000}
OUT=${BENCH_OUT:-/tmp/coffer-bench-$(date +%Y%m%d-%H%M%S)}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
INSTALL=${BENCH_INSTALL:-1}
AUDIT=${BENCH_AUDIT:-1}
ONLY=${BENCH_SCENARIOS:-}

BASELINE_PORT=$((BASE_PORT + 80))
COFFER_PORT=$((BASE_PORT + 200))     # cluster port: +1
MEM_PORT=$((BASE_PORT + 300))        # cluster port: +1
AUDIT_PORT=$((BASE_PORT + 400))      # cluster port: +1
ETCD_PORT=$((BASE_PORT + 379))
ETCD_PEER_PORT=$((BASE_PORT + 380))
HOST=127.0.0.1

SCRATCH="$ROOT/.build-release"
BIN_DIR="$SCRATCH/release"
COFFER_BIN=${BENCH_COFFER:-$BIN_DIR/coffer}
RUN_TAG=$(date +%s)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
# Everything started here is recorded and stopped on exit, by process id.
PIDS=()
SERVER_PIDS=()
WORK=""
cleanup() {
    local pid
    for pid in "${PIDS[@]:-}"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]:-}"; do
        [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
    done
    [[ -n "$WORK" && -d "$WORK" ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'printf "run.sh: line %s: \"%s\" failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------------------------------
# Tools.
ensure_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v etcd >/dev/null || missing+=(etcd-server)
    command -v curl >/dev/null || missing+=(curl)
    if [[ "$PROFILE" == 1 ]] && ! command -v perf >/dev/null; then missing+=(linux-perf); fi
    if ((${#missing[@]})); then
        [[ "$INSTALL" == 1 ]] || die "missing tools: ${missing[*]} (BENCH_INSTALL=0)"
        log "installing ${missing[*]}"
        apt-get update >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
    fi
}

build() {
    if [[ "$SKIP_BUILD" == 1 ]]; then
        [[ -x "$COFFER_BIN" && -x "$BIN_DIR/coffer-bench-baseline" ]] \
            || die "BENCH_SKIP_BUILD=1 but no release binaries ($COFFER_BIN, $BIN_DIR/coffer-bench-baseline)"
        return
    fi
    log "building release binaries (scratch path $SCRATCH)"
    (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product coffer >"$OUT/build.log" 2>&1) \
        || { tail -30 "$OUT/build.log" >&2; die "release build of coffer failed"; }
    (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product coffer-bench-baseline \
        >>"$OUT/build.log" 2>&1) \
        || { tail -30 "$OUT/build.log" >&2; die "release build of coffer-bench-baseline failed"; }
}

port_free() { ! (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# wait_http URL [SECONDS]: until the URL answers anything at all.
wait_http() {
    local url=$1 deadline=$((SECONDS + ${2:-30}))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" != 000 ]]; do
        ((SECONDS < deadline)) || die "no answer from $url"
        sleep 0.2
    done
}

# contains TEXT < INPUT: whether INPUT contains TEXT. Reads all of INPUT (unlike grep -q),
# so the writer never dies of SIGPIPE and fails the pipeline under pipefail.
contains() { grep -c -- "$1" >/dev/null; }

# json_field NAME < JSON: the first string value of NAME (flat scan; enough for these replies).
json_field() { { grep -o "\"$1\":\"[^\"]*\"" || true; } | awk 'NR == 1' | cut -d'"' -f4; }
# json_first NAME < JSON: the first string of the array NAME.
# The client_token of a token-create answer (inside the "auth" object).
json_auth_token() { json_field client_token; }
json_first() { { grep -o "\"$1\":\[\"[^\"]*\"" || true; } | awk 'NR == 1' | cut -d'"' -f4; }

# ---------------------------------------------------------------------------------------
# Servers.
start_baseline() {
    "$BIN_DIR/coffer-bench-baseline" "$BASELINE_PORT" >"$OUT/baseline.log" 2>&1 &
    BASELINE_PID=$!
    PIDS+=("$BASELINE_PID")
    SERVER_PIDS+=("$BASELINE_PID")
    wait_http "http://$HOST:$BASELINE_PORT/v1/secret/probe"
}

COFFER_PID=""
COFFER_TOKEN=""
HAVE_KV2=0
start_coffer_sqlite() {
    mkdir -p "$WORK/coffer"
    cat >"$WORK/coffer/config.hcl" <<EOF
storage "sqlite" {
  path = "$WORK/coffer/coffer.db"
}
listener "tcp" {
  address         = "$HOST:$COFFER_PORT"
  cluster_address = "$HOST:$((COFFER_PORT + 1))"
  tls_disable     = true
}
EOF
    "$COFFER_BIN" server -config="$WORK/coffer/config.hcl" -log-level=warn >"$OUT/coffer.log" 2>&1 &
    COFFER_PID=$!
    PIDS+=("$COFFER_PID")
    SERVER_PIDS+=("$COFFER_PID")
    local addr="http://$HOST:$COFFER_PORT"
    wait_http "$addr/v1/sys/health"
    local init key
    init=$(curl -sf -X PUT "$addr/v1/sys/init" -d '{"secret_shares":1,"secret_threshold":1}') \
        || die "sys/init failed"
    key=$(json_first keys_base64 <<<"$init")
    COFFER_TOKEN=$(json_field root_token <<<"$init")
    [[ -n "$key" && -n "$COFFER_TOKEN" ]] || die "sys/init returned no key or token"
    curl -sf -X PUT "$addr/v1/sys/unseal" -d "{\"key\":\"$key\"}" | contains '"sealed":false' \
        || die "unseal failed"
    curl -sf -X POST "$addr/v1/sys/mounts/secret" -H "X-Vault-Token: $COFFER_TOKEN" -d '{"type":"kv"}' \
        || die "mounting kv at secret/ failed"
    # KV v2 at kv2/, when this server has it: a v2 mount answers config reads, v1 would not.
    curl -s -o /dev/null -X POST "$addr/v1/sys/mounts/kv2" -H "X-Vault-Token: $COFFER_TOKEN" \
        -d '{"type":"kv","options":{"version":"2"}}'
    if curl -sf "$addr/v1/kv2/config" -H "X-Vault-Token: $COFFER_TOKEN" | contains max_versions; then
        HAVE_KV2=1
        # A non-root token whose reads go through a real ACL policy (exact + glob rules).
        curl -sf -X PUT "$addr/v1/sys/policies/acl/bench-read" -H "X-Vault-Token: $COFFER_TOKEN" \
            -d '{"policy":"path \"kv2/data/bench/*\" { capabilities = [\"read\"] }\npath \"kv2/metadata/*\" { capabilities = [\"list\"] }\npath \"sys/*\" { capabilities = [\"deny\"] }"}' \
            || die "writing the bench-read policy failed"
        POLICY_TOKEN=$(curl -sf -X POST "$addr/v1/auth/token/create" -H "X-Vault-Token: $COFFER_TOKEN" \
            -d '{"policies":["bench-read"],"ttl":"24h"}' | json_auth_token) || die "creating the policy token failed"
        [[ -n "$POLICY_TOKEN" ]] || die "token create returned no token"
    else
        log "this server has no KV v2: skipping the kv2 scenarios"
    fi
}

MEM_TOKEN=root
start_coffer_mem() {
    # -dev mounts KV v2 at secret/ (as Vault does) once KV v2 exists; KV v1 is measured,
    # so mount it at kv1/ and point the scripts there.
    "$COFFER_BIN" server -dev -dev-root-token-id="$MEM_TOKEN" -dev-listen-address="$HOST:$MEM_PORT" \
        -dev-cluster-address="$HOST:$((MEM_PORT + 1))" -log-level=warn >"$OUT/coffer-mem.log" 2>&1 &
    MEM_PID=$!
    PIDS+=("$MEM_PID")
    SERVER_PIDS+=("$MEM_PID")
    wait_http "http://$HOST:$MEM_PORT/v1/sys/health"
    # Replace whatever -dev mounted at secret/ with KV v1, so both servers serve the same paths.
    curl -s -o /dev/null -X DELETE "http://$HOST:$MEM_PORT/v1/sys/mounts/secret" -H "X-Vault-Token: $MEM_TOKEN"
    curl -sf -X POST "http://$HOST:$MEM_PORT/v1/sys/mounts/secret" -H "X-Vault-Token: $MEM_TOKEN" \
        -d '{"type":"kv"}' || die "mounting kv at secret/ (in-memory server) failed"
}

# A second SQLite server, KV v1 at secret/, with one file audit device: the read path
# with every request and response written to the audit log.
AUDIT_PID=""
AUDIT_TOKEN=""
AUDIT_LOG=""
HAVE_AUDIT=0
start_coffer_audit() {
    mkdir -p "$WORK/coffer-audit"
    AUDIT_LOG="$WORK/coffer-audit/audit.log"
    cat >"$WORK/coffer-audit/config.hcl" <<EOF
storage "sqlite" {
  path = "$WORK/coffer-audit/coffer.db"
}
listener "tcp" {
  address         = "$HOST:$AUDIT_PORT"
  cluster_address = "$HOST:$((AUDIT_PORT + 1))"
  tls_disable     = true
}
EOF
    "$COFFER_BIN" server -config="$WORK/coffer-audit/config.hcl" -log-level=warn >"$OUT/coffer-audit.log" 2>&1 &
    AUDIT_PID=$!
    PIDS+=("$AUDIT_PID")
    SERVER_PIDS+=("$AUDIT_PID")
    local addr="http://$HOST:$AUDIT_PORT"
    wait_http "$addr/v1/sys/health"
    local init key
    init=$(curl -sf -X PUT "$addr/v1/sys/init" -d '{"secret_shares":1,"secret_threshold":1}') \
        || die "sys/init failed (audit server)"
    key=$(json_first keys_base64 <<<"$init")
    AUDIT_TOKEN=$(json_field root_token <<<"$init")
    [[ -n "$key" && -n "$AUDIT_TOKEN" ]] || die "sys/init returned no key or token (audit server)"
    curl -sf -X PUT "$addr/v1/sys/unseal" -d "{\"key\":\"$key\"}" | contains '"sealed":false' \
        || die "unseal failed (audit server)"
    curl -sf -X POST "$addr/v1/sys/mounts/secret" -H "X-Vault-Token: $AUDIT_TOKEN" -d '{"type":"kv"}' \
        || die "mounting kv at secret/ (audit server) failed"
    if curl -sf -X PUT "$addr/v1/sys/audit/file" -H "X-Vault-Token: $AUDIT_TOKEN" \
        -d "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUDIT_LOG\"}}" >/dev/null \
        && curl -sf "$addr/v1/sys/audit" -H "X-Vault-Token: $AUDIT_TOKEN" | contains '"file/"'; then
        HAVE_AUDIT=1
    else
        log "this server has no file audit device: skipping coffer-audit-read"
    fi
}

# audit_reset SCENARIO: empties the audit log before a measured run (the device appends
# with O_APPEND, so truncating under it is safe), so the log stays bounded and its line
# count afterwards belongs to that run.
audit_reset() { [[ "$1" == coffer-audit-read ]] && : >"$AUDIT_LOG"; return 0; }
# audit_stats SCENARIO: "audit_lines=<n> audit_mb=<size>" after a coffer-audit-read run.
audit_stats() {
    [[ "$1" == coffer-audit-read ]] || return 0
    printf 'audit_lines=%s audit_mb=%s' "$(wc -l <"$AUDIT_LOG")" \
        "$(awk -v b="$(stat -c %s "$AUDIT_LOG")" 'BEGIN { printf "%.0f", b / 1048576 }')"
}

ETCD_PUT_PATH=""
start_etcd() {
    mkdir -p "$WORK/etcd"
    etcd --name bench --data-dir "$WORK/etcd/data" \
        --listen-client-urls "http://$HOST:$ETCD_PORT" --advertise-client-urls "http://$HOST:$ETCD_PORT" \
        --listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
        --initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
        --initial-cluster "bench=http://$HOST:$ETCD_PEER_PORT" \
        >"$OUT/etcd.log" 2>&1 &
    ETCD_PID=$!
    PIDS+=("$ETCD_PID")
    SERVER_PIDS+=("$ETCD_PID")
    wait_http "http://$HOST:$ETCD_PORT/version"
    local path
    for path in /v3/kv/put /v3beta/kv/put; do
        if curl -sf -X POST "http://$HOST:$ETCD_PORT$path" -d '{"key":"cHJvYmU=","value":"MQ=="}' \
            | contains '"header"'; then
            ETCD_PUT_PATH=$path
            break
        fi
    done
    [[ -n "$ETCD_PUT_PATH" ]] || die "etcd serves neither /v3/kv/put nor /v3beta/kv/put"
}

# ---------------------------------------------------------------------------------------
# Load generation. Every wrk run prints one RESULT line (report.lua); it is appended to
# $OUT/results.txt as "<scenario> <rep> RESULT ...".
export BENCH_DIR="$HERE"

# wrk_run SCENARIO REP SECONDS -> prints the RESULT line
wrk_run() {
    local scenario=$1 rep=$2 seconds=$3 url script conns token mount=secret version=1
    case "$scenario" in
        baseline-read) url="http://$HOST:$BASELINE_PORT"; script=kv_read.lua; conns=$READ_CONNS; token=none ;;
        coffer-read) url="http://$HOST:$COFFER_PORT"; script=kv_read.lua; conns=$READ_CONNS; token=$COFFER_TOKEN ;;
        coffer-mem-read) url="http://$HOST:$MEM_PORT"; script=kv_read.lua; conns=$READ_CONNS; token=$MEM_TOKEN ;;
        coffer-audit-read) url="http://$HOST:$AUDIT_PORT"; script=kv_read.lua; conns=$READ_CONNS; token=$AUDIT_TOKEN ;;
        coffer-write) url="http://$HOST:$COFFER_PORT"; script=kv_write.lua; conns=$WRITE_CONNS; token=$COFFER_TOKEN ;;
        coffer-mem-write) url="http://$HOST:$MEM_PORT"; script=kv_write.lua; conns=$WRITE_CONNS; token=$MEM_TOKEN ;;
        coffer-kv2-read) url="http://$HOST:$COFFER_PORT"; script=kv_read.lua; conns=$READ_CONNS
            token=$COFFER_TOKEN; mount=kv2; version=2 ;;
        coffer-kv2-policy-read) url="http://$HOST:$COFFER_PORT"; script=kv_read.lua; conns=$READ_CONNS
            token=$POLICY_TOKEN; mount=kv2; version=2 ;;
        coffer-kv2-write) url="http://$HOST:$COFFER_PORT"; script=kv_write.lua; conns=$WRITE_CONNS
            token=$COFFER_TOKEN; mount=kv2; version=2 ;;
        etcd-put) url="http://$HOST:$ETCD_PORT"; script=etcd_put.lua; conns=$WRITE_CONNS; token=none ;;
        *) die "unknown scenario $scenario" ;;
    esac
    local raw="$OUT/wrk-$scenario-$rep.txt"
    COFFER_TOKEN="$token" BENCH_KEYS="$KEYS" BENCH_RUN="$RUN_TAG-$rep" ETCD_PUT_PATH="$ETCD_PUT_PATH" \
        BENCH_MOUNT="$mount" BENCH_KV_VERSION="$version" \
        timeout $((seconds + 30)) wrk -t"$THREADS" -c"$conns" -d"${seconds}s" --timeout 5s \
        -s "$HERE/$script" "$url" >"$raw" 2>&1 || die "wrk failed for $scenario (see $raw)"
    local line
    line=$(grep '^RESULT ' "$raw") || die "no RESULT from wrk for $scenario (see $raw)"
    if ! grep -q 'errors=0 non2xx=0' <<<"$line"; then
        die "$scenario had failed requests: $line"
    fi
    echo "$line"
}

# populate URL TOKEN NAME [MOUNT [KV-VERSION]]
populate() {
    local url=$1 token=$2 raw="$OUT/populate-$3.txt" mount=${4:-secret} version=${5:-1}
    # wrk runs for its whole -d even after the script stops its thread; 1000 writes take
    # well under a second here, so 5 s is ample. The script reports what it wrote.
    COFFER_TOKEN="$token" BENCH_KEYS="$KEYS" BENCH_MOUNT="$mount" BENCH_KV_VERSION="$version" \
        timeout 60 wrk -t1 -c8 -d5s -s "$HERE/kv_populate.lua" "$url" \
        >"$raw" 2>&1 || die "populating $url failed (see $raw)"
    local written
    written=$(grep -o 'POPULATED written=[0-9]*' "$raw" | cut -d= -f2)
    grep -q 'failed=0' "$raw" && ((written >= KEYS)) || die "populating $url wrote ${written:-0}/$KEYS keys"
    local data=""
    [[ "$version" == 2 ]] && data="data/"
    curl -sf "$url/v1/$mount/${data}bench/key-$((KEYS - 1))" -H "X-Vault-Token: $token" | contains correct-horse \
        || die "populated key not readable at $url/v1/$mount/"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# cpu_snapshot: "<total jiffies> <busy jiffies> <our jiffies>" (all CPUs). Ours are the
# servers' CPU time plus this script's and its waited-for children's (wrk, curl). The
# difference between two snapshots tells how much CPU other processes took meanwhile:
# the load average cannot, since our own load generator and servers dominate it.
cpu_snapshot() {
    local total busy ours=0 pid
    read -r total busy < <(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, t - $5 - $6 }' /proc/stat)
    for pid in "${SERVER_PIDS[@]}" $$; do
        # Fields after the ")" of the command name: utime is the 12th, cstime the 15th.
        ours=$((ours + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 + $14 + $15 }')))
    done
    echo "$total $busy $ours"
}

# quiet_gate: before each measured run, waits (at most BENCH_RUN_WAIT seconds) until other
# processes used less than BENCH_MAX_OTHER_CPU percent of the machine over one second.
# Other engineers' compilers share these cores; a run that overlaps them measures them.
quiet_gate() {
    local deadline=$((SECONDS + RUN_WAIT)) a b used
    while true; do
        a=$(cpu_snapshot); sleep 1; b=$(cpu_snapshot)
        used=$(other_cpu "$a" "$b")
        awk -v u="$used" -v m="$MAX_OTHER_CPU" 'BEGIN { exit !(u < m) }' && return 0
        if ((SECONDS >= deadline)); then
            log "other processes still use ${used}% CPU after ${RUN_WAIT}s; measuring anyway"
            return 0
        fi
        sleep 4
    done
}

# server_counters PID: "<CPU jiffies> <context switches>" of one server, all its threads.
# Switches are summed over the threads alive now (a thread that exited takes its count
# with it), voluntary and involuntary.
server_counters() {
    local pid=$1 cpu switches
    cpu=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')
    switches=$(cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }')
    echo "$cpu $switches"
}

scenario_pid() {
    case "$1" in
        baseline-read) echo "$BASELINE_PID" ;;
        coffer-read | coffer-write | coffer-kv2-read | coffer-kv2-policy-read | coffer-kv2-write) echo "$COFFER_PID" ;;
        coffer-mem-read | coffer-mem-write) echo "$MEM_PID" ;;
        coffer-audit-read) echo "$AUDIT_PID" ;;
        etcd-put) echo "$ETCD_PID" ;;
    esac
}

# per_request BEFORE AFTER RESULT-LINE: "server_cpu_us=<CPU µs per request> server_cs=<switches per request>"
per_request() {
    local requests
    requests=$(field requests <<<"$3")
    awk -v a="$1" -v b="$2" -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        printf "server_cpu_us=%.1f server_cs=%.2f", (y[1] - x[1]) * 1e6 / hz / n, (y[2] - x[2]) / n }'
}

# other_cpu BEFORE AFTER: percent of the machine's CPU used by other processes in between.
other_cpu() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        total = y[1] - x[1]; other = (y[2] - x[2]) - (y[3] - x[3])
        if (other < 0) other = 0
        printf "%.1f", (total > 0 ? 100 * other / total : 0) }'
}

wait_for_quiet_machine() {
    local deadline=$((SECONDS + LOAD_WAIT)) load
    while true; do
        load=$(load1)
        if awk -v l="$load" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }'; then
            log "1-minute load $load < $MAX_LOAD: measuring"
            break
        fi
        if ((SECONDS >= deadline)); then
            log "1-minute load still $load after ${LOAD_WAIT}s: measuring anyway"
            break
        fi
        log "1-minute load $load >= $MAX_LOAD; waiting (up to $((deadline - SECONDS))s more)"
        sleep 20
    done
    echo "$load"
}

machine_info() {
    {
        echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "nproc:       $(nproc)"
        echo "cpu:         $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
        echo "kernel:      $(uname -r)"
        echo "memory:      $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
        echo "filesystem:  $(df -T "$WORK" | awk 'NR==2 {print $2 " on " $1}') (data dirs in $WORK)"
        echo "coffer:      $COFFER_BIN (built $(date -u -r "$COFFER_BIN" +%Y-%m-%dT%H:%M:%SZ))"
        echo "swift:       $({ swift --version 2>/dev/null || true; } | awk 'NR == 1')"
        echo "wrk:         $({ wrk -v 2>&1 || true; } | awk 'NR == 1 { print $1, $2 }')"
        echo "etcd:        $({ etcd --version 2>/dev/null || true; } | awk 'NR == 1')"
        local t0 t1
        t0=$(date +%s.%N)
        dd if=/dev/zero of="$WORK/dsync.probe" bs=4k count=500 oflag=dsync 2>/dev/null
        t1=$(date +%s.%N)
        rm -f "$WORK/dsync.probe"
        echo "sync write:  $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f ms per 4 KiB O_DSYNC write (dd, 500 writes)", (b - a) * 1000 / 500 }')"
    } | tee "$OUT/machine.txt" >&2
}

# ---------------------------------------------------------------------------------------
# Profiles (perf, cpu-clock sampling: this also works where hardware counters do not).
profile() {
    local scenario=$1 name=$2
    local data="$OUT/perf-$name.data"
    if ! perf record -e cpu-clock -F 999 -g -o "$OUT/perf-probe.data" -- true >/dev/null 2>&1; then
        log "perf record does not work here; skipping profiles (see benchmarks/README.md for callgrind)"
        return
    fi
    rm -f "$OUT/perf-probe.data"
    log "profiling coffer under $scenario"
    perf record -e cpu-clock -F 999 -g -p "$COFFER_PID" -o "$data" -- sleep $((DURATION + 1)) \
        >"$OUT/perf-$name.log" 2>&1 &
    local perf_pid=$!
    PIDS+=("$perf_pid")
    sleep 0.5
    wrk_run "$scenario" "profile" "$DURATION" >"$OUT/profile-$name-wrk.txt"
    wait "$perf_pid" || true
    local demangle=cat
    command -v swift-demangle >/dev/null && demangle="swift-demangle --simplified"
    [[ -x /opt/swift/usr/bin/swift-demangle ]] && demangle="/opt/swift/usr/bin/swift-demangle --simplified"
    # Reports go through files and awk (which reads all its input), never `head`: a pipe
    # closed early would fail the pipeline under `set -o pipefail`.
    perf report -i "$data" --no-children --sort dso --stdio -g none >"$OUT/perf-$name-dso.txt" 2>/dev/null || true
    perf report -i "$data" --no-children --sort sym --stdio -g none >"$OUT/perf-$name-self.txt" 2>/dev/null || true
    perf report -i "$data" --children --sort sym --stdio -g none >"$OUT/perf-$name-children.txt" 2>/dev/null || true
    top() { awk -v n="$1" '!/^#/ && NF && ++seen <= n' "$2"; }
    {
        echo "# $scenario under perf: $(cat "$OUT/profile-$name-wrk.txt")"
        echo "## self time by module"
        top 15 "$OUT/perf-$name-dso.txt"
        echo "## self time by symbol (top 40)"
        top 40 "$OUT/perf-$name-self.txt"
        echo "## inclusive time by symbol (top 150)"
        top 150 "$OUT/perf-$name-children.txt"
    } | $demangle | cut -c1-220 >"$OUT/profile-$name.txt"
    if command -v python3 >/dev/null; then
        {
            echo "## samples by component (perf_buckets.py)"
            perf script -i "$data" 2>/dev/null | $demangle | python3 "$HERE/perf_buckets.py" || true
        } >>"$OUT/profile-$name.txt"
    fi
    log "profile written to $OUT/profile-$name.txt"
}

# ---------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { grep -o "$1=[0-9.]*" | cut -d= -f2; }

summarise() {
    local results="$OUT/results.txt" scenario rps p50 p99 cpu cs runs others
    {
        echo
        echo "| scenario | connections | req/s (median of $REPS) | p50 ms | p99 ms | server CPU µs/req | server context switches/req | req/s of each run | other processes' CPU % in each run |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for scenario in "${SCENARIOS[@]}"; do
            local lines
            lines=$(grep "^$scenario " "$results" || true)
            [[ -n "$lines" ]] || continue
            rps=$(field rps <<<"$lines" | median)
            p50=$(field p50_ms <<<"$lines" | median)
            p99=$(field p99_ms <<<"$lines" | median)
            cpu=$(field server_cpu_us <<<"$lines" | median)
            cs=$(field server_cs <<<"$lines" | median)
            runs=$(field rps <<<"$lines" | awk '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 }')
            others=$(field other_cpu <<<"$lines" | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }')
            local conns=$READ_CONNS
            [[ "$scenario" == *write* || "$scenario" == *put* ]] && conns=$WRITE_CONNS
            printf '| %s | %s | %.0f | %.2f | %.2f | %.0f | %.1f | %s | %s |\n' \
                "$scenario" "$conns" "$rps" "$p50" "$p99" "$cpu" "$cs" "$runs" "$others"
        done
        echo
        ratio() {
            local a b
            a=$(grep "^$1 " "$results" | field rps | median)
            b=$(grep "^$2 " "$results" | field rps | median)
            awk -v a="$a" -v b="$b" -v goal="$3" -v what="$4" 'BEGIN {
                r = a / b * 100
                printf "%s: %.1f%% (goal >= %d%%): %s\n", what, r, goal, (r >= goal ? "MET" : "NOT MET") }'
        }
        has() { grep -q "^$1 " "$results"; }
        if has coffer-read && has baseline-read; then ratio coffer-read baseline-read 60 "coffer-read / baseline-read"; fi
        if has coffer-write && has etcd-put; then ratio coffer-write etcd-put 100 "coffer-write / etcd-put"; fi
        if has coffer-audit-read && has coffer-read; then
            local a b lines reqs
            a=$(grep "^coffer-audit-read " "$results" | field rps | median)
            b=$(grep "^coffer-read " "$results" | field rps | median)
            lines=$(grep "^coffer-audit-read " "$results" | field audit_lines | awk '{ s += $1 } END { print s + 0 }')
            reqs=$(grep "^coffer-audit-read " "$results" | field requests | awk '{ s += $1 } END { print s + 0 }')
            awk -v a="$a" -v b="$b" -v l="$lines" -v r="$reqs" 'BEGIN {
                printf "file audit device: coffer-audit-read / coffer-read: %.1f%%; %.2f audit lines per completed request (2 expected: request + response)\n",
                    a / b * 100, (r > 0 ? l / r : 0) }'
        fi
        if grep -q "^coffer-kv2-policy-read " "$results"; then
            ratio coffer-kv2-policy-read baseline-read 60 "coffer-kv2-policy-read / baseline-read"
        fi
        echo
        echo "1-minute load average before measuring: $LOAD_BEFORE; after: $LOAD_AFTER"
        echo "etcd gateway path: $ETCD_PUT_PATH"
        echo "stored keys check: $STORE_CHECK"
    } | tee "$OUT/summary.md"
}

# Counts what the last write repetition stored, to show that acknowledged writes exist.
verify_writes() {
    local rep=$REPS acked stored=0 t keys
    if ! grep -q "^coffer-write $rep " "$OUT/results.txt" || ! grep -q "^etcd-put $rep " "$OUT/results.txt"; then
        STORE_CHECK="not run (coffer-write and etcd-put were not both measured)"
        return 0
    fi
    acked=$(grep "^coffer-write $rep " "$OUT/results.txt" | field requests)
    for ((t = 0; t < THREADS; t++)); do
        keys=$(curl -sf -X LIST "http://$HOST:$COFFER_PORT/v1/secret/w/$RUN_TAG-$rep/$t/" \
            -H "X-Vault-Token: $COFFER_TOKEN" | grep -o '"keys":\[[^]]*\]' | grep -o '","\|\["' | wc -l || true)
        stored=$((stored + keys))
    done
    local etcd_acked etcd_stored prefix_b64 end_b64
    etcd_acked=$(grep "^etcd-put $rep " "$OUT/results.txt" | field requests)
    prefix_b64=$(printf 'w/%s/' "$RUN_TAG-$rep" | base64 -w0)
    end_b64=$(printf 'w/%s0' "$RUN_TAG-$rep" | base64 -w0)    # '/' + 1 == '0'
    etcd_stored=$(curl -sf -X POST "http://$HOST:$ETCD_PORT${ETCD_PUT_PATH%/put}/range" \
        -d "{\"key\":\"$prefix_b64\",\"range_end\":\"$end_b64\",\"count_only\":true}" | json_field count)
    STORE_CHECK="rep $rep: coffer acknowledged $acked, stored $stored; etcd acknowledged $etcd_acked, stored ${etcd_stored:-?}"
    ((stored >= acked)) || die "coffer stored fewer keys ($stored) than it acknowledged ($acked)"
    ((${etcd_stored:-0} >= etcd_acked)) || die "etcd stored fewer keys (${etcd_stored:-0}) than it acknowledged ($etcd_acked)"
}

# ---------------------------------------------------------------------------------------
main() {
    mkdir -p "$OUT"
    WORK=$(mktemp -d /tmp/coffer-bench-work.XXXXXX)
    ensure_tools
    build
    local port
    for port in "$BASELINE_PORT" "$COFFER_PORT" $((COFFER_PORT + 1)) "$MEM_PORT" $((MEM_PORT + 1)) \
        "$AUDIT_PORT" $((AUDIT_PORT + 1)) \
        "$ETCD_PORT" "$ETCD_PEER_PORT"; do
        port_free "$port" || die "port $port on $HOST is in use (set BENCH_BASE_PORT)"
    done

    log "starting servers on $HOST"
    start_baseline
    start_coffer_sqlite
    start_coffer_mem
    if [[ "$AUDIT" == 1 ]]; then start_coffer_audit; fi
    start_etcd
    log "populating $KEYS keys"
    populate "http://$HOST:$COFFER_PORT" "$COFFER_TOKEN" sqlite
    populate "http://$HOST:$MEM_PORT" "$MEM_TOKEN" mem
    SCENARIOS=(baseline-read coffer-read coffer-mem-read)
    if [[ "$HAVE_AUDIT" == 1 ]]; then
        populate "http://$HOST:$AUDIT_PORT" "$AUDIT_TOKEN" sqlite-audit
        SCENARIOS+=(coffer-audit-read)
    fi
    if [[ "$HAVE_KV2" == 1 ]]; then
        populate "http://$HOST:$COFFER_PORT" "$COFFER_TOKEN" sqlite-kv2 kv2 2
        SCENARIOS+=(coffer-kv2-read coffer-kv2-policy-read)
    fi
    SCENARIOS+=(coffer-write coffer-mem-write)
    [[ "$HAVE_KV2" == 1 ]] && SCENARIOS+=(coffer-kv2-write)
    SCENARIOS+=(etcd-put)
    if [[ -n "$ONLY" ]]; then
        local wanted=() s
        for s in "${SCENARIOS[@]}"; do
            if [[ " $ONLY " == *" $s "* ]]; then wanted+=("$s"); fi
        done
        ((${#wanted[@]})) || die "BENCH_SCENARIOS=\"$ONLY\" selects none of: ${SCENARIOS[*]}"
        SCENARIOS=("${wanted[@]}")
    fi
    LOAD_BEFORE=$(wait_for_quiet_machine)
    machine_info
    echo "load average at start: $(cat /proc/loadavg)" >>"$OUT/machine.txt"

    local scenario rep line
    for scenario in "${SCENARIOS[@]}"; do
        log "warm-up: $scenario (${WARMUP}s)"
        wrk_run "$scenario" warmup "$WARMUP" >/dev/null
    done
    : >"$OUT/results.txt"
    local before after server_before server_after pid
    for ((rep = 1; rep <= REPS; rep++)); do
        for scenario in "${SCENARIOS[@]}"; do
            pid=$(scenario_pid "$scenario")
            quiet_gate
            audit_reset "$scenario"
            before=$(cpu_snapshot)
            server_before=$(server_counters "$pid")
            line=$(wrk_run "$scenario" "$rep" "$DURATION")
            server_after=$(server_counters "$pid")
            after=$(cpu_snapshot)
            echo "$scenario $rep $line $(per_request "$server_before" "$server_after" "$line")" \
                "other_cpu=$(other_cpu "$before" "$after") $(audit_stats "$scenario")" | tee -a "$OUT/results.txt" >&2
        done
    done
    LOAD_AFTER=$(load1)
    echo "load average at end: $(cat /proc/loadavg)" >>"$OUT/machine.txt"
    verify_writes

    if [[ "$PROFILE" == 1 ]]; then
        profile coffer-read read
        profile coffer-write write
    fi

    echo
    cat "$OUT/machine.txt"
    summarise
    log "raw results in $OUT"
}

main "$@"
