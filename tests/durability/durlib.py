"""Shared pieces of the durability harnesses (Python 3 stdlib only).

The harnesses drive build/dur_workload (the oracle, see dur_workload.cc) and
the stock RocksDB tools; this module finds them, reads the scratch fixture's
env file, parses the oracle's summary line and prints the summary lines the
results file quotes.
"""

import os
import re
import shlex
import subprocess
import sys

SKIP = 77  # ctest's SKIP_RETURN_CODE for our scripts
ACK_LINE_LEN = 14  # dur_workload.cc kAckLineLen

SUMMARY_RE = re.compile(
    r"checked=(\d+) lost=(\d+) corrupted=(\d+) reordered=(\d+) "
    r"unexpected=(\d+) keys=(\d+)")


def skip(reason):
    print(f"SKIPPED: {reason}", flush=True)
    sys.exit(SKIP)


def scratch_dir(kind):
    """The scratch filesystem `kind` (XFS, EXT4, SMALL, TMPFS) from the
    fixture's env file, or skip with the fixture's reason."""
    env_file = os.environ.get("WTROCKS_SCRATCH_ENV")
    if not env_file:
        skip("WTROCKS_SCRATCH_ENV is not set (run through ctest, or point it "
             "at a file with WTROCKS_SCRATCH_XFS=/mounted/dir)")
    try:
        with open(env_file) as f:
            lines = f.read().splitlines()
    except OSError as e:
        skip(f"scratch env file {env_file}: {e}")
    for line in lines:
        key, _, value = line.partition("=")
        if key == f"WTROCKS_SCRATCH_{kind}":
            if value.startswith("SKIP"):
                skip(f"scratch {kind}: {value}")
            return value
    skip(f"scratch {kind} not in {env_file}")


def find_tool(name):
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def run(cmd, timeout=600, **kw):
    """Runs `cmd` (a list), returns (status, stdout+stderr)."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, **kw)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (
            e.stdout or "")
        return -1, out + f"\n<timed out after {timeout}s>"


def cmdline(cmd):
    return " ".join(shlex.quote(c) for c in cmd)


def ack_lines(path):
    try:
        return os.path.getsize(path) // ACK_LINE_LEN
    except OSError:
        return 0


def parse_summary(out):
    """The oracle's counters as a dict, or None when it printed none."""
    m = None
    for m in SUMMARY_RE.finditer(out):
        pass
    if m is None:
        return None
    keys = ("checked", "lost", "corrupted", "reordered", "unexpected", "keys")
    return dict(zip(keys, (int(g) for g in m.groups())))


def stock_tools_check(db):
    """Runs stock ldb and sst_dump on `db` (no plugin: the files are
    ordinary RocksDB files). Returns (problem or None, number of keys ldb
    scanned). A kill can land before RocksDB made the DB (no CURRENT) or
    before its first flush (no SST): the caller decides, with
    db_exists(), whether a missing DB is allowed; sst_dump runs only when
    there is an SST to verify."""
    ldb = find_tool("ldb")
    sst_dump = find_tool("sst_dump")
    if ldb is None or sst_dump is None:
        return "stock ldb/sst_dump not installed (rocksdb-tools)", -1
    rc, out = run([ldb, f"--db={db}", "scan"], timeout=300)
    if rc != 0:
        return f"ldb scan exited {rc}: {out[-800:]}", -1
    # ldb scan prints "key : value" up to RocksDB 7.x and "key ==> value"
    # from 8.x on (9.10 in the Debian 13 leg).
    keys = sum(1 for line in out.splitlines()
               if " : " in line or " ==> " in line)
    if not any(f.endswith(".sst") for f in os.listdir(db)):
        return None, keys
    rc, out2 = run([sst_dump, f"--file={db}", "--command=verify"],
                   timeout=300)
    if rc != 0 or "Corruption" in out2 or "corruption" in out2:
        return f"sst_dump --command=verify exited {rc}: {out2[-800:]}", keys
    return None, keys


def db_exists(db):
    """Whether RocksDB got as far as creating the DB at `db`."""
    return os.path.exists(os.path.join(db, "CURRENT"))


def summary_line(scenario, mode, points, checked, lost, corrupted, **extra):
    more = "".join(f" {k}={v}" for k, v in extra.items())
    return (f"durability: scenario={scenario} mode={mode} points={points} "
            f"acked_checked={checked} lost={lost} corrupted={corrupted}{more}")
