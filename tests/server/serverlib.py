"""Shared pieces of the `wtkv serve` tests (Python 3 stdlib only).

Starts and stops real servers on loopback (build/wtkv serve, and Debian's
redis-server for the reference replies), picks free ports at run time, and
speaks RESP2 itself where a test needs to see each reply as it arrives (the
ack oracle, the fuzzer). Scratch filesystems and skips come from
tests/durability/durlib.py.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "durability"))
import durlib  # noqa: E402  (skip, scratch_dir, find_tool)

skip = durlib.skip
scratch_dir = durlib.scratch_dir

# The checks of a test script: each prints ok or FAIL; failures are kept
# here for the script's exit status.
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def build_dir():
    d = os.environ.get("WTROCKS_BUILD_DIR")
    if not d:
        env = os.environ.get("WTROCKS_SCRATCH_ENV")
        if env and os.path.exists(env):
            for line in open(env).read().splitlines():
                if line.startswith("WTROCKS_BUILD_DIR="):
                    d = line.split("=", 1)[1]
    return d or os.path.join(os.path.dirname(__file__), "..", "..", "build")


def wtkv_path():
    p = os.path.join(build_dir(), "wtkv")
    if not os.access(p, os.X_OK):
        skip(f"{p} is not built")
    return p


def need_tool(name, package):
    p = durlib.find_tool(name)
    if not p:
        skip(f"{name} not installed (Debian package {package}; "
             "scripts/install-deps.sh installs it)")
    return p


def free_port():
    """A port free right now on 127.0.0.1 (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(connect, where, proc, timeout, what):
    """Polls connect() until it succeeds; fails if proc exits first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before "
                               f"listening on {where}")
        try:
            connect()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {where} in {timeout}s")


def wait_port(port, proc, timeout=30.0, what="server"):
    def connect():
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    _wait_listening(connect, f"port {port}", proc, timeout, what)


def wait_unix(path, proc, timeout=30.0, what="server"):
    def connect():
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(1)
            s.connect(path)
    _wait_listening(connect, path, proc, timeout, what)


class Wtkv:
    """build/wtkv serve on a free loopback port, or with `unix` on that
    Unix socket (and TCP too if `port` is given); stderr goes to a file."""

    def __init__(self, db, mode="auto", extra=(), port=None, unix=None):
        self.db, self.mode, self.extra = db, mode, list(extra)
        self.unix = unix
        self.port = port or (None if unix else free_port())
        self.proc = None
        self.log = tempfile.NamedTemporaryFile(
            prefix="wtkv-serve-", suffix=".log", delete=False)

    def cmd(self):
        c = [wtkv_path(), "--db", self.db, "--mode", self.mode, "serve"]
        if self.port:
            c += ["--port", str(self.port)]
        if self.unix:
            c += ["--unix", self.unix]
        return c + self.extra

    def start(self):
        self.proc = subprocess.Popen(self.cmd(), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        if self.port:
            wait_port(self.port, self.proc, what="wtkv serve")
        if self.unix:
            wait_unix(self.unix, self.proc, what="wtkv serve")
        return self

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Signals the server and returns its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise RuntimeError(f"wtkv serve ignored signal {sig} for "
                               f"{timeout}s:\n{self.output()}")
        self.proc = None
        return rc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def output(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()


class RedisServer:
    """Debian's redis-server (7.0; 8.0 in the Debian 13 root) on a free
    loopback port, for reference replies: no persistence unless asked, its
    files in `dir`."""

    def __init__(self, dir, extra=()):
        self.dir = dir
        self.port = free_port()
        self.extra = list(extra)
        self.proc = None

    def start(self):
        exe = need_tool("redis-server", "redis-server")
        os.makedirs(self.dir, exist_ok=True)
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", self.dir, "--save", "", "--daemonize", "no",
             "--logfile", os.path.join(self.dir, "redis.log")] + self.extra,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc, what="redis-server")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc = None

    def version(self):
        """'redis-server 7.0.15': which reference the replies came from."""
        c = Client(self.port)
        m = re.search(rb"redis_version:(\S+)", c.call("INFO", "server"))
        c.close()
        return "redis-server " + (m.group(1).decode() if m else "?")


def encode(*args):
    """One request as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Reader:
    """Incremental RESP2 reply parser: feed bytes, take whole replies.
    Replies are bytes (simple, bulk), int, None (null), an Error, or lists."""

    class Error(Exception):
        pass

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data

    def _parse(self, pos):
        nl = self.buf.find(b"\r\n", pos)
        if nl < 0:
            return None
        kind, line, after = self.buf[pos:pos + 1], self.buf[pos + 1:nl], nl + 2
        if kind == b"+":
            return line, after
        if kind == b"-":
            return Reader.Error(line.decode(errors="replace")), after
        if kind == b":":
            return int(line), after
        if kind == b"$":
            n = int(line)
            if n < 0:
                return None, after
            if len(self.buf) < after + n + 2:
                return None
            return self.buf[after:after + n], after + n + 2
        if kind == b"*":
            n = int(line)
            if n < 0:
                return None, after
            items = []
            for _ in range(n):
                r = self._parse(after)
                if r is None:
                    return None
                items.append(r[0])
                after = r[1]
            return items, after
        raise ValueError(f"bad RESP reply type {kind!r} in {self.buf[:80]!r}")

    def take(self):
        """[replies] parsed so far (possibly empty)."""
        out = []
        while self.buf:
            r = self._parse(0)
            if r is None:
                break
            out.append(r[0])
            self.buf = self.buf[r[1]:]
        return out


class Client:
    """A blocking RESP2 client on one connection."""

    def __init__(self, port=None, timeout=30, unix=None):
        if unix:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(timeout)
            self.sock.connect(unix)
        else:
            self.sock = socket.create_connection(("127.0.0.1", port),
                                                 timeout=timeout)
        self.reader = Reader()
        self.pending = []

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def recv_replies(self, n):
        """Exactly n replies; raises ConnectionError if the server closes."""
        while len(self.pending) < n:
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("server closed the connection")
            self.reader.feed(data)
            self.pending.extend(self.reader.take())
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def call(self, *args):
        self.send(*args)
        return self.recv_replies(1)[0]

    def close(self):
        self.sock.close()


def set_until_errors(c, count, value_of, async_replies=False, before=None,
                     max_errors=5):
    """For the tests that make the disk fail under a server: SETs
    key%07d to value_of(i) for i from 0, `count` times or until
    `max_errors` error replies, and checks that no +OK follows the first
    error. `before(i)`, if given, runs before SET i. Returns (acked,
    replied, errors, dropped): acked, the keys durable by the server's
    word with their values (+OK; with async_replies, +OK and then a
    WAITAOF, sent every 100 SETs, that answered [1, 0]); replied, the
    +OK not yet confirmed so; errors, the error replies; dropped, whether
    the server closed the connection (a failed check)."""
    acked, replied, errors = {}, {}, []
    ok_after_error = 0
    for i in range(count):
        if before is not None:
            before(i)
        key = b"key%07d" % i
        try:
            r = c.call("SET", key, value_of(i))
            if async_replies and i % 100 == 99 and not errors:
                if c.call("WAITAOF", "1", "0", "0") == [1, 0]:
                    acked.update(replied)
                    replied.clear()
        except (ConnectionError, OSError) as e:
            check(False, f"the server dropped the connection at SET {i} "
                  f"({e}), {len(acked)} acknowledged")
            return acked, replied, errors, True
        if isinstance(r, Reader.Error):
            errors.append(str(r))
            if len(errors) >= max_errors:
                break
        else:
            ok_after_error += 1 if errors else 0
            (replied if async_replies else acked)[key] = value_of(i)
    check(ok_after_error == 0,
          f"no +OK after the first error reply ({ok_after_error})")
    return acked, replied, errors, False


def read_back(db, load_options=True):
    """{key: value} of the database at `db`, read with stock RocksDB's
    `ldb` (rocksdb-tools) and its default FileSystem, so the check does not
    trust the code under test. Keys and values are printed in hex.
    load_options=False: ldb opens with its defaults instead of the DB's
    OPTIONS file, as it must on RocksDB 7.8 after a crash of a database
    with recycled WALs (engine/kv/README.md, "Recycled WALs")."""
    ldb = need_tool("ldb", "rocksdb-tools")
    cmd = [ldb, f"--db={db}", "scan", "--hex"]
    if not load_options:
        cmd.insert(2, "--try_load_options=false")
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(cmd)} did not finish in 120 s")
    if p.returncode != 0:
        raise RuntimeError(f"ldb scan {db} failed: {p.stderr.decode()}")
    out = {}
    for line in p.stdout.decode().splitlines():
        m = re.match(r"^0x([0-9A-Fa-f]*) (?::|==>) 0x([0-9A-Fa-f]*)$", line)
        if m:
            out[bytes.fromhex(m.group(1))] = bytes.fromhex(m.group(2))
    return out
