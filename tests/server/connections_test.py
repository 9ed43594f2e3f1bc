#!/usr/bin/env python3
"""Connections and lifecycle of `wtkv serve` (issue 15):
- it listens on loopback by default;
- a second server on the same database is refused with a clear message;
- 1,000 idle connections stay open and served while redis-benchmark runs
  100 busy clients;
- clients that disconnect with replies pending (closed, or reset) do not
  disturb the server or its other clients;
- SIGTERM with replies pending: every reply the client got is +OK in order,
  then the connection closes; the server exits 0; every acknowledged key is
  in the database (stock ldb).
Usage: connections_test.py [--mode M]   (exit 77 = skipped)
"""

import argparse
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import serverlib as sl  # noqa: E402

failures = sl.failures
check = sl.check


def listen_addresses(port):
    """Local addresses of LISTEN sockets on `port` (from /proc/net/tcp)."""
    out = []
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            ip, p = local.split(":")
            if int(p, 16) == port and state == "0A":
                out.append(socket.inet_ntoa(struct.pack("<I", int(ip, 16))))
    return out


def fd_exhaustion(mode):
    """Out of file descriptors: connections wait in the backlog, the
    server neither spins on its listener nor stops serving, and accepts
    them once connections close."""
    root = tempfile.mkdtemp(prefix="server-fd-", dir=sl.scratch_dir("XFS"))
    srv = sl.Wtkv(os.path.join(root, "db"), mode)
    cmd = srv.cmd()
    # Hard limit 100 too, so the server cannot raise it.
    srv.cmd = lambda: ["prlimit", "--nofile=100:100"] + cmd
    srv.start()
    try:
        conns = [socket.create_connection(("127.0.0.1", srv.port))
                 for _ in range(150)]
        time.sleep(1)  # let the server hit EMFILE and sit on it
        logged = srv.output().count("accept:")
        check(logged < 10, f"EMFILE logged {logged} time(s), not a spin")
        for s in conns[:100]:
            s.close()
        ok = 0
        for s in conns[100:]:
            s.settimeout(30)
            s.sendall(sl.encode("PING"))
            ok += s.recv(7) == b"+PONG\r\n"
            s.close()
        check(ok == 50, f"after closing 100, the 50 waiting connections are "
              f"served ({ok})")
        check(srv.stop() == 0, "exits 0 after fd exhaustion")
    finally:
        if srv.alive():
            srv.stop()
    shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="auto")
    args = ap.parse_args()
    bench = sl.need_tool("redis-benchmark", "redis-tools")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 1300:
        sl.skip(f"open-files hard limit {hard} < 1300")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    root = tempfile.mkdtemp(prefix="server-conn-", dir=sl.scratch_dir("XFS"))
    db = os.path.join(root, "db")
    srv = sl.Wtkv(db, args.mode).start()
    try:
        check(listen_addresses(srv.port) == ["127.0.0.1"],
              f"listens on loopback only: {listen_addresses(srv.port)}")

        second = sl.Wtkv(db, args.mode)
        p = subprocess.run(second.cmd(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        msg = p.stdout.decode(errors="replace").strip()
        check(p.returncode == 3 and "in use by another process" in msg,
              f"second server on the same DB refused (exit {p.returncode}): "
              f"{msg}")

        idle = [socket.create_connection(("127.0.0.1", srv.port))
                for _ in range(1000)]
        info = sl.Client(srv.port)
        n = int(info.call("INFO", "clients").decode().split(
            "connected_clients:")[1].split()[0])
        check(n >= 1001, f"1000 idle connections open ({n} clients)")
        p = subprocess.run([bench, "-p", str(srv.port), "-c", "100",
                            "-n", "20000", "-t", "set,get", "-q"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=300)
        out = p.stdout.decode(errors="replace")
        print(out.strip().replace("\r", "\n").splitlines()[-2:])
        check(p.returncode == 0 and "SET:" in out and "GET:" in out,
              "redis-benchmark -c 100 SET and GET completed beside them")
        v = info.call("GET", "key:__rand_int__")
        check(isinstance(v, bytes) and len(v) == 3,
              f"redis-benchmark's key holds its 3-byte value ({v!r})")
        for s in idle:
            s.sendall(sl.encode("PING"))
        ok = 0
        for s in idle:
            r = sl.Reader()
            while True:
                data = s.recv(100)
                if not data:
                    break
                r.feed(data)
                got = r.take()
                if got:
                    ok += got == [b"PONG"]
                    break
            s.close()
        check(ok == 1000, f"all 1000 idle connections still answer ({ok})")

        # Clients that leave with replies pending.
        for i in range(100):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(b"".join(sl.encode("SET", "gone-%d-%d" % (i, j), "v" * 100)
                               for j in range(200)))
            if i % 2:  # an abortive close: RST instead of FIN
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            s.close()
        check(info.call("PING") == b"PONG", "alive after 100 clients left "
              "with 200 replies pending each")
        check(srv.alive(), "server process still running")
        info.close()

        # SIGTERM with replies pending.
        c = sl.Client(srv.port)
        c.sock.sendall(b"".join(sl.encode("SET", "term-%06d" % j, "t" * 1000)
                                for j in range(5000)))
        first = c.recv_replies(1)
        srv.proc.send_signal(15)
        got = first
        try:
            while True:
                got += c.recv_replies(1)
        except (ConnectionError, OSError):
            pass
        check(all(r == b"OK" for r in got),
              f"after SIGTERM: {len(got)} replies, all +OK")
        rc = srv.proc.wait(timeout=60)
        srv.proc = None
        check(rc == 0, f"server exits 0 after SIGTERM (got {rc})")
        data = sl.read_back(db)
        lost = [j for j in range(len(got)) if b"term-%06d" % j not in data]
        check(not lost, f"all {len(got)} acknowledged keys present after "
              f"SIGTERM ({len(lost)} lost)")
        print(srv.output())
    finally:
        if srv.alive():
            srv.stop()
    shutil.rmtree(root, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    fd_exhaustion(args.mode)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("connections: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
