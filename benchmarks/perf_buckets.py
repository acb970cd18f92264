#!/usr/bin/env python3
"""Attributes perf samples to the parts of Coffer's request path.

    perf script -i perf-read.data | swift demangle --simplified | python3 perf_buckets.py

Reads demangled `perf script` output (call-graph samples) and assigns every sample to ONE
component: the innermost frame of its stack (leaf first) that matches a component's
markers. A leaf in `swift_retain` called from the JSON writer counts as JSON; a kernel
futex wait reached from GRDB's pool counts as GRDB. Stacks that break (libc is built
without frame pointers, so some kernel samples have no user frames) fall into
"kernel, caller unknown". Prints a table of shares, and the split by thread.
"""

import re
import sys
from collections import Counter

# Innermost match wins, so the order here only breaks ties within one frame.
COMPONENTS = [
    ("SQLite engine", re.compile(r"\bsqlite3|libsqlite3")),
    ("crypto: AES-GCM, HMAC, SHA-256", re.compile(r"AES\.GCM|OpenSSLAESGCMImpl|CCryptoBoringSSL|\bHMAC\b|SHA256")),
    ("JSON parse/write", re.compile(r"JSONWriter|JSONParser|JSONByteParser|Envelope\.success")),
    ("request id (Foundation UUID)", re.compile(r"\bUUID\b")),
    ("GRDB pool/queues (reader checkout, hops)",
     re.compile(r"\bPool\.|Pool<|DispatchQueueActor|SerializedDatabase|DatabasePool|ReadWriteLock")),
    ("Coffer storage (SQLiteBackend, group commit)", re.compile(r"SQLiteBackend|GroupCommitQueue|InMemoryBackend")),
    ("Coffer core (token, router, barrier, KV engine)",
     re.compile(r"\bCore\.|TokenStore|SecurityBarrier|BarrierView|KVv1Backend|Router\.route|StorageView|Keyring")),
    ("Coffer HTTP layer (VaultAPIHandler, replies)",
     re.compile(r"VaultAPIHandler|\bReply\.|RequestParsing|ListMethodRewriter|RequestEndObserver|VaultHTTP1Channel")),
    ("NIO / Hummingbird HTTP and sockets",
     re.compile(r"NIO|Channel|ByteToMessage|llhttp|HTTPServer|HTTP1|Selector|SelectableEventLoop|"
                r"PendingWrites|Hummingbird|ByteBuffer")),
    ("Swift concurrency / libdispatch runtime",
     re.compile(r"swift_task|swift_job|swift::AsyncTask|swift_continuation|runJobInEstablishedExecutorContext|"
                r"_dispatch|libdispatch|swift_asyncLet|TaskGroup")),
]
KERNEL = re.compile(r"\[kernel\.kallsyms\]")


def samples(lines):
    """Yields (thread, [frame lines]) per sample; frames leaf first."""
    thread, frames = None, []
    for line in lines:
        if not line.strip():
            if thread is not None:
                yield thread, frames
            thread, frames = None, []
        elif line[0] not in " \t":
            thread, frames = line.split()[0], []
        else:
            frames.append(line.strip())
    if thread is not None:
        yield thread, frames


def classify(frames):
    for frame in frames:
        for name, pattern in COMPONENTS:
            if pattern.search(frame):
                return name
    if frames and KERNEL.search(frames[0]):
        return "kernel, caller unknown (mostly scheduler/futex)"
    return "other user space (mostly libc malloc/free/futex, caller unknown)"


def thread_kind(thread):
    if thread.startswith("NIO-"):
        return "NIO event loops"
    if "qos" in thread:
        return "dispatch workers (Swift concurrency, GRDB queues)"
    return thread


def main():
    by_component, by_thread = Counter(), Counter()
    total = 0
    for thread, frames in samples(sys.stdin):
        total += 1
        by_component[classify(frames)] += 1
        by_thread[thread_kind(thread)] += 1
    if total == 0:
        sys.exit("no samples on stdin")
    print(f"| component (innermost matching frame) | share of {total} samples |")
    print("|---|---|")
    for name, count in by_component.most_common():
        print(f"| {name} | {100 * count / total:.1f}% |")
    print()
    print("| thread | share |")
    print("|---|---|")
    for name, count in by_thread.most_common(6):
        print(f"| {name} | {100 * count / total:.1f}% |")


if __name__ == "__main__":
    main()
