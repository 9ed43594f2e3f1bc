#!/usr/bin/env python3
"""`wtkv serve` under redis-py, Debian's python3-redis (issue 15: real
clients).

redis-py is how much Python code talks to Redis, and it uses more of the
protocol than redis-cli and redis-benchmark: CLIENT SETNAME when a
connection is named, MULTI/EXEC around `pipeline()` by default, and
WATCH/MULTI/EXEC with retries in `transaction()`. Checked here:
1. a named connection, and plain commands' Python results;
2. a transactional pipeline: the results of every queued command, in
   order, and a failed command inside it raising as redis-py documents;
3. optimistic locking: 8 threads each add 1 to a counter 150 times with
   `transaction()` (WATCH, GET, MULTI, SET, EXEC, retried on WatchError);
   the counter must end at exactly 1,200 (a lost update means WATCH let
   an EXEC run after another thread's write), and some retries must have
   happened (else the run did not test WATCH);
4. after SIGTERM, the database read back with stock ldb holds the
   counter and the pipeline's keys.

Debian's python3-redis lives in /usr/bin/python3's dist-packages; when
the python3 running this is another one, the test re-runs itself with
/usr/bin/python3. Exit 77 (skipped) when no python3 here has redis-py.
"""

import os
import sys
import threading

if "WTROCKS_REDIS_PY_REEXEC" not in os.environ:
    try:
        import redis  # noqa: F401
    except ImportError:
        debian = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(debian) and \
                os.path.exists(debian):
            os.environ["WTROCKS_REDIS_PY_REEXEC"] = "1"
            os.execv(debian, [debian, *sys.argv])
try:
    import redis
except ImportError:
    print("SKIPPED: no redis-py (Debian package python3-redis, installed by "
          "scripts/install-deps.sh)")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(__file__))
import serverlib as sl  # noqa: E402

failures = sl.failures
check = sl.check


def add_one(r, retries):
    def step(pipe):
        n = int(pipe.get("counter") or 0)
        pipe.multi()
        pipe.set("counter", n + 1)
    # transaction() counts nothing; count the WatchErrors it retries on by
    # running the same loop it does.
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch("counter")
                step(pipe)
                pipe.execute()
                return
            except redis.WatchError:
                retries.append(1)


def main():
    root = sl.scratch_dir("XFS")
    import tempfile
    db = os.path.join(tempfile.mkdtemp(prefix="redis-py-", dir=root), "db")
    srv = sl.Wtkv(db, "auto").start()
    try:
        r = redis.Redis(port=srv.port, client_name="wtrocks-test",
                        socket_timeout=30)
        # redis-py decodes CLIENT GETNAME to str itself.
        check(r.client_getname() == "wtrocks-test",
              "client_name= (CLIENT SETNAME) accepted and kept")
        check(r.set("a", "1") is True and r.get("a") == b"1", "SET/GET")
        check(r.setnx("a", "2") is False and r.getset("a", "3") == b"1",
              "SETNX, GETSET")
        check(r.getdel("a") == b"3" and r.exists("a") == 0, "GETDEL")

        pipe = r.pipeline()  # transaction=True: MULTI ... EXEC
        pipe.set("p1", "x").incr("p2").incr("p2").append("p1", "y")
        pipe.get("p1").mget("p1", "p2", "p3")
        res = pipe.execute()
        check(res == [True, 1, 2, 2, b"xy", [b"xy", b"2", None]],
              f"transactional pipeline results: {res}")
        pipe = r.pipeline()
        pipe.set("p4", "v").incr("p1").set("p5", "w")
        try:
            pipe.execute()
            check(False, "a failing INCR inside EXEC raises")
        except redis.ResponseError as e:
            check("not an integer" in str(e), f"INCR error raised: {e}")
        check(r.get("p4") == b"v" and r.get("p5") == b"w",
              "the other commands of that EXEC ran (Redis semantics)")

        threads, retries = [], []
        conns = [redis.Redis(port=srv.port, socket_timeout=60)
                 for _ in range(8)]

        def worker(c):
            for _ in range(150):
                add_one(c, retries)

        for c in conns:
            threads.append(threading.Thread(target=worker, args=(c,)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        n = int(r.get("counter"))
        check(n == 1200, f"WATCH/MULTI/EXEC counter: {n} of 1200 "
              f"({len(retries)} retries after WatchError)")
        check(len(retries) > 0, "WATCH conflicts happened (else untested)")
        check(srv.stop() == 0, "server exits 0 on SIGTERM")
    finally:
        if srv.alive():
            srv.stop()
    data = sl.read_back(db)
    check(data.get(b"counter") == b"1200" and data.get(b"p1") == b"xy" and
          data.get(b"p2") == b"2", "stock ldb reads the counter and the "
          "pipeline's keys back")
    if failures:
        print(f"redis-py: {len(failures)} checks failed")
        return 1
    print("redis-py: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
