#!/usr/bin/env python3
"""`wtkv serve --unix PATH` (issue 15), with Debian's redis-cli -s and
redis-benchmark -s as the clients:
- --unix alone: a socket file with mode 0700 and no TCP listener; PING,
  SET, GET; redis-benchmark pipelined SET/GET through it;
- SIGTERM removes the socket file; after SIGKILL the stale file is
  replaced by the next server, and the acknowledged key is there;
- --port with --unix: both work; --unix-perm sets the mode;
- refused with a clear message: a second server on the same socket, a
  path that is not a socket (left untouched), a path longer than
  sun_path, a missing directory, bad --unix-perm, --unix-perm alone;
- a file put at the path by someone else is not removed at shutdown.
Usage: unix_socket_test.py [--mode M]   (exit 77 = skipped)
"""

import argparse
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import serverlib as sl  # noqa: E402

failures = sl.failures
check = sl.check


def cli(sock, *args):
    exe = sl.need_tool("redis-cli", "redis-tools")
    p = subprocess.run([exe, "-s", sock] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    return p.stdout.decode(errors="replace").strip()


def refused(root, mode, name, extra, want_rc, want_msg):
    """A server with `extra` serve flags must exit `want_rc` saying
    `want_msg`. Its own DB, so that RocksDB's LOCK is not what refuses."""
    cmd = [sl.wtkv_path(), "--db", os.path.join(root, "db-" + name),
           "--mode", mode, "serve"] + extra
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    msg = p.stdout.decode(errors="replace").strip()
    check(p.returncode == want_rc and want_msg in msg,
          f"{name}: exit {p.returncode} (want {want_rc}): {msg}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="auto")
    args = ap.parse_args()
    bench = sl.need_tool("redis-benchmark", "redis-tools")
    sl.need_tool("redis-cli", "redis-tools")
    root = tempfile.mkdtemp(prefix="server-unix-", dir=sl.scratch_dir("XFS"))
    # The socket in /tmp: a deep build directory could exceed sun_path.
    sock_dir = tempfile.mkdtemp(prefix="wtkv-unix-", dir="/tmp")
    sock = os.path.join(sock_dir, "wtkv.sock")
    db = os.path.join(root, "db")

    srv = sl.Wtkv(db, args.mode, unix=sock).start()
    try:
        st = os.lstat(sock)
        check(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700,
              f"--unix alone: a socket, mode {oct(stat.S_IMODE(st.st_mode))}")
        first = srv.output().splitlines()[0]
        check(f"listening on unix:{sock} (0700)," in first and
              "127.0.0.1" not in first, f"no TCP listener: {first}")
        check("tcp_port:0" in cli(sock, "INFO", "server"), "INFO tcp_port:0")
        check(cli(sock, "PING") == "PONG", "redis-cli -s: PING")
        check(cli(sock, "SET", "unix-key", "v1") == "OK", "redis-cli -s: SET")
        check(cli(sock, "GET", "unix-key") == "v1", "redis-cli -s: GET")
        p = subprocess.run([bench, "-s", sock, "-c", "20", "-n", "5000",
                            "-P", "8", "-t", "set,get", "-q"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=300)
        out = p.stdout.decode(errors="replace")
        check(p.returncode == 0 and "SET:" in out and "GET:" in out,
              "redis-benchmark -s -c 20 -P 8 SET and GET: " +
              " | ".join(out.replace("\r", "\n").split("\n")[-3:]).strip())

        refused(root, args.mode, "second-server", ["--unix", sock], 4,
                f"another server is listening on Unix socket {sock}")
        check(cli(sock, "PING") == "PONG", "the first server still serves")
        rc = srv.stop(signal.SIGTERM)
        check(rc == 0 and not os.path.lexists(sock),
              f"SIGTERM: exit {rc}, socket file removed")

        srv = sl.Wtkv(db, args.mode, unix=sock).start()
        check(cli(sock, "SET", "unix-key", "v2") == "OK", "SET v2")
        srv.stop(signal.SIGKILL)
        check(os.path.lexists(sock), "SIGKILL leaves the socket file")
        srv = sl.Wtkv(db, args.mode, unix=sock).start()
        check(cli(sock, "GET", "unix-key") == "v2",
              "the next server replaces the stale socket; the key acked "
              "before the kill is there")
        # Someone else's file at the path now: shutdown must not remove it.
        os.unlink(sock)
        with open(sock, "w") as f:
            f.write("not ours\n")
        srv.stop(signal.SIGTERM)
        check(os.path.isfile(sock) and open(sock).read() == "not ours\n",
              "a file put at the path meanwhile survives the shutdown")

        refused(root, args.mode, "not-a-socket", ["--unix", sock], 4,
                f"--unix {sock} exists and is not a socket")
        check(open(sock).read() == "not ours\n", "... and is left untouched")
        os.unlink(sock)
        long_path = os.path.join(root, "x" * 120 + ".sock")
        refused(root, args.mode, "too-long", ["--unix", long_path], 4,
                "a Unix socket path may have at most 107 (sun_path)")
        refused(root, args.mode, "no-dir",
                ["--unix", os.path.join(sock_dir, "no", "s")], 4,
                "cannot bind Unix socket")
        refused(root, args.mode, "bad-perm", ["--unix", sock, "--unix-perm", "999"], 2,
                "--unix-perm must be octal")
        refused(root, args.mode, "perm-alone", ["--unix-perm", "700"], 2,
                "--unix-perm needs --unix")

        port = sl.free_port()
        srv = sl.Wtkv(db, args.mode, port=port, unix=sock,
                      extra=["--unix-perm", "770"]).start()
        mode = stat.S_IMODE(os.lstat(sock).st_mode)
        check(mode == 0o770, f"--unix-perm 770: mode {oct(mode)}")
        c = sl.Client(port)
        check(c.call("GET", "unix-key") == b"v2" and
              cli(sock, "GET", "unix-key") == "v2",
              "--port with --unix: TCP and the Unix socket both serve")
        c.close()
        srv.stop(signal.SIGTERM)
        srv = None
    finally:
        if srv and srv.alive():
            print(srv.output())
            srv.stop(signal.SIGKILL)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(sock_dir, ignore_errors=True)
    if failures:
        print(f"FAILED: {len(failures)} check(s)")
        return 1
    print("server_unix_socket: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
