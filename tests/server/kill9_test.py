#!/usr/bin/env python3
"""kill -9 of `wtkv serve` under load, with an ack oracle (issue 15).

Writer connections pipeline SETs of unique keys; every +OK a writer reads is
recorded: that key was acknowledged, so it is durable. At a seeded random
moment the server is killed with SIGKILL, and the database is read back
with stock `ldb` (the default FileSystem). Every acknowledged key must be
there with its value (lost=0, corrupted=0). Repeated over several kill
points on the same database, restarting the server each time.

--transactions: each writer sends MULTI, 2-4 SETs, EXEC instead (pipelined
like the SETs). Every key of an acknowledged EXEC (an array of +OK) must
survive, and every transaction sent, acknowledged or not, must be there
whole or not at all: its writes are one commit (one WriteBatch).

--recycle-wals N runs the server with RocksDB's recycled WALs (and 64 KiB
memtables, so that WALs roll within the run): writes then overwrite old WAL
blocks, stock ldb must still read every acknowledged key back, and each
restart must recover the crashed recycled WAL (on RocksDB 7.8 its recovery
mode used to loop forever there). The test fails unless the server's LOG
shows a reused WAL.

Usage: kill9_test.py [--mode M] [--points N] [--seed S] [--recycle-wals N]
                    [--transactions]
(exit 77 = skipped)
"""

import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import serverlib as sl  # noqa: E402


def value_of(key):
    # Long enough to fill WAL blocks quickly, and tied to its key.
    return (key * (1 + 200 // len(key)))[:200]


def writer(port, tag, depth, acked, sent, stop, transactions):
    """Pipelines `depth` writes at a time: SETs of unique keys, or with
    `transactions` MULTI, 2-4 SETs, EXEC. A write's keys go into `sent`
    (transactions only) before its bytes leave, and into `acked` once
    its reply (+OK, or an EXEC array of +OK) arrived."""
    try:
        c = sl.Client(port, timeout=60)
    except OSError:
        return
    i = 0
    try:
        while not stop.is_set():
            groups, out = [], []
            for _ in range(depth):
                n = 2 + i % 3 if transactions else 1
                keys = [b"%s-%08d-%d" % (tag, i, j) for j in range(n)]
                i += 1
                groups.append(keys)
                sets = [sl.encode("SET", k, value_of(k)) for k in keys]
                out += ([sl.encode("MULTI"), *sets, sl.encode("EXEC")]
                        if transactions else sets)
            if transactions:
                sent.extend(groups)
            c.sock.sendall(b"".join(out))
            for keys in groups:
                if transactions:
                    want = [b"OK", *[b"QUEUED"] * len(keys),
                            [b"OK"] * len(keys)]
                else:
                    want = [b"OK"]
                r = c.recv_replies(len(want))
                if r != want:
                    acked.append((b"ERR", keys[0], r))
                    return
                for k in keys:
                    acked.append((b"OK", k, None))
    except (OSError, ConnectionError):
        return  # the server was killed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="auto")
    ap.add_argument("--points", type=int, default=3)
    ap.add_argument("--writers", type=int, default=16)
    ap.add_argument("--recycle-wals", type=int, default=0)
    ap.add_argument("--transactions", action="store_true")
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("WTROCKS_DUR_SEED",
                                               time.time_ns() % 100000)))
    args = ap.parse_args()
    print(f"seed={args.seed} (WTROCKS_DUR_SEED pins it)", flush=True)
    rnd = random.Random(args.seed)
    root = tempfile.mkdtemp(prefix="server-kill9-", dir=sl.scratch_dir("XFS"))
    db = os.path.join(root, "db")
    acked_all = {}
    total_lost = total_bad = 0
    extra = []
    if args.recycle_wals:
        extra = ["--recycle-wals", str(args.recycle_wals),
                 "--write-buffer-size", str(64 << 10)]
    reused = 0
    sent = []  # --transactions: every transaction's keys
    torn = 0
    for point in range(args.points):
        srv = sl.Wtkv(db, args.mode, extra=extra)
        try:
            srv.start()
        except RuntimeError as e:
            out = srv.output()
            if "cannot open database" in out and "NotSupported" in out:
                sl.skip(f"mode {args.mode}: {out.strip()}")
            raise RuntimeError(f"{e}\n{out}")
        stop = threading.Event()
        acked = []
        threads = [threading.Thread(
            target=writer,
            args=(srv.port, b"p%d-w%d" % (point, w), rnd.choice([1, 4, 16]),
                  acked, sent, stop, args.transactions))
            for w in range(args.writers)]
        for t in threads:
            t.start()
        time.sleep(rnd.uniform(0.5, 2.5))
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait()
        # RocksDB logs "reusing log N from recycle list" when a new WAL
        # takes an old file; each start begins a new LOG, so count now.
        with open(os.path.join(db, "LOG"), errors="replace") as f:
            reused += f.read().count("reusing log ")
        stop.set()
        for t in threads:
            t.join()
        errors = [a for a in acked if a[0] == b"ERR"]
        if errors:
            print(f"FAIL: error replies before the kill: {errors[:3]}")
            return 1
        for _, k, _ in acked:
            acked_all[k] = value_of(k)
        data = sl.read_back(db, load_options=not args.recycle_wals)
        lost = [k for k in acked_all if k not in data]
        bad = [k for k in acked_all if k in data and data[k] != acked_all[k]]
        total_lost += len(lost)
        total_bad += len(bad)
        # A transaction is all there or all gone, acknowledged or not.
        partial = [keys for keys in sent
                   if 0 < sum(k in data for k in keys) < len(keys)]
        torn = len(partial)
        if partial:
            print(f"FAIL: {len(partial)} transactions partly present, e.g. "
                  f"{[(k, k in data) for k in partial[0]]}", flush=True)
        print(f"point {point}: acked {len(acked)} this run, "
              f"{len(acked_all)} in all; present {len(data)}; lost "
              f"{len(lost)} {lost[:3]} corrupted {len(bad)}", flush=True)
        if not acked:
            print("FAIL: nothing was acknowledged before the kill")
            return 1
    scenario = "server_kill9_tx" if args.transactions else "server_kill9"
    tx = (f" transactions={len(sent)} torn={torn}" if args.transactions
          else "")
    print(f"durability: scenario={scenario} mode={args.mode} "
          f"points={args.points} acked={len(acked_all)} lost={total_lost} "
          f"corrupted={total_bad}{tx} wal_files_reused={reused}", flush=True)
    if args.recycle_wals and reused == 0:
        print("FAIL: --recycle-wals given but no WAL was reused: the run "
              "tested appends only")
        return 1
    import shutil
    shutil.rmtree(root, ignore_errors=True)
    return 0 if total_lost == 0 and total_bad == 0 and torn == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
