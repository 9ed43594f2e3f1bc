#!/usr/bin/env python3
"""`wtkv serve` when its filesystem fails under it: a real XFS forced into
shutdown (`xfs_io -x -c shutdown`) halfway through a run, after which every
read and write of that filesystem returns EIO. This is the "I/O error in a
completion" case with real parts on the host (the VM's dm-flakey tests do
it at the block layer).

The server runs on its own XFS (a loop-mounted image on the scratch XFS:
the shared scratch filesystems must not be shut down), a client SETs keys
and the filesystem is shut down after the first half. Then:
  - every reply after the first error is an error (no +OK), naming EIO, or
    with --durability=async refusing writes (MISCONF);
  - the server stays up (PING) and SIGTERM ends it with an exit status;
  - after a remount (XFS log recovery), stock ldb finds every key the
    server acknowledged as durable (with --durability=async: every key a
    WAITAOF confirmed).

Usage: xfs_shutdown_test.py [--mode M] [--async-replies]  (exit 77 = skip)
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import serverlib as sl  # noqa: E402

WRITES = 4000
SHUTDOWN_AT = 2000


def value_of(i):
    return (b"v%07d-" % i) * 40


def sh(*cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="auto")
    ap.add_argument("--async-replies", action="store_true")
    args = ap.parse_args()
    for tool, pkg in (("xfs_io", "xfsprogs"), ("mkfs.xfs", "xfsprogs"),
                      ("ldb", "rocksdb-tools")):
        sl.need_tool(tool, pkg)
    if os.geteuid() != 0:
        sl.skip("mounting a loop XFS needs root")
    work = tempfile.mkdtemp(prefix="server-xfs-shutdown-",
                            dir=sl.scratch_dir("XFS"))
    img, mnt = os.path.join(work, "xfs.img"), os.path.join(work, "mnt")
    os.makedirs(mnt)
    mounted = False
    try:
        r = sh("truncate", "-s", "512M", img)
        if r.returncode == 0:
            r = sh("mkfs.xfs", "-q", img)
        if r.returncode == 0:
            r = sh("mount", "-o", "loop", img, mnt)
        if r.returncode != 0:
            sl.skip(f"cannot make and mount a loop XFS: {r.stdout.strip()}")
        mounted = True
        extra = ["--durability", "async"] if args.async_replies else []
        srv = sl.Wtkv(os.path.join(mnt, "db"), mode=args.mode,
                      extra=extra).start()
        try:
            acked = run(srv, mnt, args.async_replies)
        finally:
            if srv.alive():
                srv.stop(signal.SIGKILL)
        if sl.failures:
            print(f"server output:\n{srv.output()[-3000:]}")
        # Remount: XFS recovers its log, as after a crash.
        sh("umount", mnt)
        mounted = False
        r = sh("mount", "-o", "loop", img, mnt)
        sl.check(r.returncode == 0, f"the XFS mounts again ({r.stdout.strip()})")
        if r.returncode == 0:
            mounted = True
            got = sl.read_back(os.path.join(mnt, "db"))
            lost = [k for k, v in acked.items() if got.get(k) != v]
            sl.check(not lost, f"stock ldb finds every acknowledged key "
                     f"({len(acked)} acknowledged, {len(lost)} lost: "
                     f"{lost[:3]})")
            print(f"durability: scenario=server_xfs_shutdown mode={args.mode}"
                  f" points=1 acked={len(acked)} lost={len(lost)} corrupted=0")
    finally:
        if mounted:
            sh("umount", mnt)
        shutil.rmtree(work, ignore_errors=True)
    if sl.failures:
        print(f"{len(sl.failures)} check(s) failed")
        return 1
    return 0


def run(srv, mnt, async_replies):
    """Returns the keys acknowledged as durable, with their values."""
    c = sl.Client(srv.port)

    def shut_down_halfway(i):
        if i == SHUTDOWN_AT:
            r = sh("xfs_io", "-x", "-c", "shutdown", mnt)
            sl.check(r.returncode == 0, f"xfs_io shutdown ({r.stdout.strip()})")

    acked, _, errors, dropped = sl.set_until_errors(
        c, WRITES, value_of, async_replies, before=shut_down_halfway)
    if dropped:
        return acked
    print(f"acknowledged {len(acked)} durable, then {errors[:1]}")
    sl.check(len(errors) >= 5, "writes fail once the filesystem is shut down")
    sl.check(all("Input/output error" in e or
                 (async_replies and e.startswith("MISCONF")) for e in errors),
             "every error reply names the I/O error (or, with async replies, "
             "refuses writes after a failed commit)")
    sl.check(c.call("PING") == b"PONG", "PING answered after the shutdown")
    c.close()
    rc = srv.stop()
    sl.check(rc in (0, 4), f"SIGTERM ends the server with an exit status, "
             f"not a signal (rc {rc})")
    return acked


if __name__ == "__main__":
    sys.exit(main())
