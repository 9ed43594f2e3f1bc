#!/usr/bin/env python3
"""`wtkv serve` on a full disk (issue 15: "bad input gets a clear error and
loses nothing"; a full disk is one).

The server runs on the 16 MiB scratch ext4 with everything on it, its info
LOG included, and a client SETs keys with values of a few KiB until the
replies turn into errors. Then:
  - every error reply says the disk is full, and none comes before an +OK
    of the same connection's later request (acknowledgements stay in order);
  - the server still serves: PING, and GET of acknowledged keys;
  - a write after the first error fails too (the error is sticky);
  - SIGTERM ends the server with an exit status (0, or 4 with the DB's
    close error when a WAL write failed), not a signal;
  - the database, copied off the full disk, holds every acknowledged key
    with its value (stock ldb reads it);
  - with the space back, a restarted server has them all and takes writes.
Before the FileSystem had its own info LOG writer, the server died at the
first log line after the LOG's write failed (RocksDB 7.8.3's assertion
`sync_without_flush_called_`), and the client saw the connection drop.

--write-buffer-size N: small memtables, so that the disk fills in a flush
(an SST write) rather than in a WAL append.
--async-replies: `--durability=async`, where +OK comes before durability;
a WAITAOF every 100 SETs marks what is durable (those keys must survive),
and once a commit has failed every write must be refused (MISCONF), not
answered +OK: before that fix the server answered every SET +OK on the
full disk, writes the database never applied.

Usage: enospc_test.py [--mode M] [--write-buffer-size N] [--async-replies]
(exit 77 = skipped)
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import serverlib as sl  # noqa: E402

VALUE_BYTES = 3000


def value_of(i):
    return (b"v%07d-" % i) * (VALUE_BYTES // 9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="auto")
    ap.add_argument("--write-buffer-size", type=int, default=0,
                    help="small memtables: the disk fills in a flush")
    ap.add_argument("--async-replies", action="store_true",
                    help="--durability=async: +OK before durable; a WAITAOF "
                         "every 100 SETs says what is durable")
    args = ap.parse_args()
    extra = []
    if args.write_buffer_size:
        extra = ["--write-buffer-size", str(args.write_buffer_size)]
    if args.async_replies:
        extra += ["--durability", "async"]
    small = sl.scratch_dir("SMALL")
    sl.need_tool("ldb", "rocksdb-tools")
    root = tempfile.mkdtemp(prefix="server-enospc-", dir=small)
    db = os.path.join(root, "db")
    copy = tempfile.mkdtemp(prefix="server-enospc-copy-",
                            dir=sl.scratch_dir("XFS"))
    srv = sl.Wtkv(db, mode=args.mode, extra=extra).start()
    try:
        run(srv, db, os.path.join(copy, "db"), args.mode, extra)
    finally:
        if srv.alive():
            srv.stop(signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(copy, ignore_errors=True)
    if sl.failures:
        print(f"server output:\n{srv.output()[-4000:]}")
        print(f"{len(sl.failures)} check(s) failed")
        return 1
    return 0


def run(srv, db, copy, mode, extra):
    c = sl.Client(srv.port)
    async_replies = "async" in extra
    # 16 MiB cannot hold this much: the disk fills long before the end.
    acked, replied, errors, dropped = sl.set_until_errors(
        c, 20000, value_of, async_replies)
    if dropped:
        return
    print(f"acknowledged {len(acked)} durable (+{len(replied)} replied "
          f"before durable), then {errors[:1]}")
    sl.check(len(acked) > 10 and errors,
             f"the disk filled after some writes ({len(acked)} acknowledged, "
             f"{len(errors)} errors)")
    # With async replies the first errors may be the refusal of writes
    # after a commit that had been answered failed (MISCONF): it names the
    # failure, the full disk is in WAITAOF's and INFO's answer.
    sl.check(all("No space left on device" in e or
                 (async_replies and e.startswith("MISCONF")) for e in errors),
             "every error reply says the disk is full (or, with async "
             "replies, that writes are refused after a failed commit)")
    sl.check(c.call("PING") == b"PONG", "PING answered on a full disk")
    some = list(acked)[:: max(1, len(acked) // 20)]
    sl.check(all(c.call("GET", k) == acked[k] for k in some),
             f"GET of {len(some)} acknowledged keys on a full disk")
    sl.check(isinstance(c.call("SET", b"after", b"x"), sl.Reader.Error),
             "a write after the first error fails too (sticky)")
    c.close()
    rc = srv.stop()
    # 4: wtkv's "the operation failed", with the DB's close error said.
    sl.check(rc in (0, 4), f"SIGTERM ends the server with an exit status, "
             f"not a signal (rc {rc})")
    shutil.copytree(db, copy)
    got = sl.read_back(copy)
    lost = [k for k, v in acked.items() if got.get(k) != v]
    sl.check(not lost, f"stock ldb finds every acknowledged key ({len(acked)}"
             f" acknowledged, {len(lost)} lost: {lost[:3]})")
    # Space back: the copy on the XFS scratch, reopened by the server.
    again = sl.Wtkv(copy, mode=mode, extra=extra).start()
    try:
        c = sl.Client(again.port)
        sl.check(all(c.call("GET", k) == acked[k] for k in some),
                 "after a restart with room, the acknowledged keys are there")
        sl.check(c.call("SET", b"after", b"room") == b"OK",
                 "after a restart with room, writes are taken")
        c.close()
    finally:
        sl.check(again.stop() == 0, "the restarted server exits cleanly")
    print(f"durability: scenario=server_enospc mode={mode} points=1 "
          f"acked={len(acked)} lost={len(lost)} corrupted=0")


if __name__ == "__main__":
    sys.exit(main())
