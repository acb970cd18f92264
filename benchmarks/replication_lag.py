#!/usr/bin/env python3
"""Visibility lag of primary writes on a performance secondary (issue 5).

A writer thread writes KV v1 keys to the primary at a fixed rate (default 1,000/s) and
records when each write was acknowledged; a reader thread walks the same keys in order on
the secondary, polling each until it is readable, and records when it first saw it.
Records apply in index order, so walking in write order sees each key as soon as the
secondary has it, give or take one GET (~0.3 ms, the resolution of this method).

    replication_lag.py PRIMARY_URL SECONDARY_URL TOKEN [--rate 1000] [--seconds 10] [--mount kv1]
"""
import argparse, http.client, json, statistics, threading, time, urllib.parse

def connection(url):
    parts = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("primary"); ap.add_argument("secondary"); ap.add_argument("token")
    ap.add_argument("--rate", type=int, default=1000); ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--mount", default="kv1")
    args = ap.parse_args()
    total = int(args.rate * args.seconds)
    run = str(int(time.time()))
    acked = [None] * total
    seen = [None] * total
    headers = {"X-Vault-Token": args.token, "Content-Type": "application/json"}
    body = json.dumps({"v": "x" * 40})

    def writer():
        conn = connection(args.primary)
        start = time.perf_counter()
        for i in range(total):
            due = start + i / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            conn.request("PUT", f"/v1/{args.mount}/lag/{run}/{i}", body=body, headers=headers)
            response = conn.getresponse(); response.read()
            if response.status // 100 != 2:
                raise SystemExit(f"write {i} failed: {response.status}")
            acked[i] = time.perf_counter()

    def reader():
        conn = connection(args.secondary)
        i = 0
        deadline = time.perf_counter() + args.seconds + 30
        while i < total and time.perf_counter() < deadline:
            conn.request("GET", f"/v1/{args.mount}/lag/{run}/{i}", headers=headers)
            response = conn.getresponse(); response.read()
            if response.status == 200:
                seen[i] = time.perf_counter()
                i += 1

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    began = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.perf_counter() - began
    lags = sorted(max(0.0, (s - a) * 1000) for a, s in zip(acked, seen) if a is not None and s is not None)
    if len(lags) < total:
        raise SystemExit(f"only {len(lags)} of {total} writes were seen on the secondary")
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    print(f"LAG writes={total} rate={total / elapsed:.0f}/s p50_ms={p(0.50):.2f} p90_ms={p(0.90):.2f} "
          f"p99_ms={p(0.99):.2f} max_ms={lags[-1]:.2f} mean_ms={statistics.mean(lags):.2f}")

main()
