#!/usr/bin/env python3
"""Redis' own test suite against `wtkv serve` (issue 15: real clients,
other people's tests).

The units of Redis 7.0's suite that are about what wtkv implements
(strings, INCR*, APPEND, bit operations, keys and RENAME/COPY, DBSIZE, MULTI/EXEC/WATCH,
SCAN, RESET, the protocol and a 100,000-request pipeline, QUIT) come from Debian 12's redis SOURCE package
(scripts/get-redis-tests.sh; never copied into the checkout) and run with
their own harness, `tclsh tests/test_helper.tcl`, in its external-server
mode against a wtkv serve on the scratch XFS. Every test runs except
those tests/server/redis_suite.skip names, each with its reason (expiry,
other data types, one database, Redis internals); any test that
runs must pass. A skip pattern that matches no test is reported (the
source package may have renamed one), not failed.

Exit 77 (skipped) without tclsh (package tcl) or the source package.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import serverlib as sl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
UNITS = ["unit/type/string", "unit/type/incr", "unit/bitops", "unit/keyspace",
         "unit/multi", "unit/protocol", "unit/quit", "unit/scan",
         "unit/other"]
# Tests needing what an external server cannot be asked for.
TAGS = "-needs:debug -needs:repl -needs:save -needs:config-maxmemory"
check = sl.check


def skips():
    """(pattern, reason) of each line of redis_suite.skip."""
    out = []
    for line in open(os.path.join(HERE, "redis_suite.skip")):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        pattern, _, reason = line.partition("  # ")
        out.append((pattern, reason))
    return out


def source():
    """The unpacked redis source package's directory."""
    p = subprocess.run([os.path.join(REPO, "scripts", "get-redis-tests.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    if p.returncode == 77:
        sl.skip(p.stderr.strip())
    if p.returncode != 0:
        raise RuntimeError(f"get-redis-tests.sh failed: {p.stderr.strip()}")
    return p.stdout.strip().splitlines()[-1]


def run_unit(work, port, skipfile, unit):
    """Runs one unit; returns (passed, skipped names, problems)."""
    cmd = ["tclsh", "tests/test_helper.tcl", "--host", "127.0.0.1",
           "--port", str(port), "--singledb", "--clients", "1",
           "--timeout", "600", "--skipfile", skipfile, "--tags", TAGS,
           "--single", unit]
    p = subprocess.run(cmd, cwd=work, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=900)
    out = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout.decode(errors="replace"))
    lines = out.splitlines()
    passed = [l for l in lines if l.startswith("[ok]:")]
    skipped = [l[len("[skip]: "):] for l in lines if l.startswith("[skip]:")]
    problems = []
    for i, l in enumerate(lines):
        if l.startswith("[err]:") or l.startswith("[exception]:"):
            # The failure and what the harness says about it, cut short
            # (a test's values may be 50,000 bytes).
            problems.append(" | ".join(x[:200] for x in lines[i:i + 4]))
    if p.returncode != 0 and not problems:
        problems.append(f"harness exit {p.returncode}: " +
                        " | ".join(x[:200] for x in lines[-5:]))
    return passed, skipped, problems


def main():
    if not shutil.which("tclsh"):
        sl.skip("tclsh not found (Debian package tcl; scripts/install-deps.sh "
                "installs it)")
    src = source()
    version = os.path.basename(src).removeprefix("src-")
    root = tempfile.mkdtemp(prefix="server-redis-suite-",
                            dir=sl.scratch_dir("XFS"))
    # The harness writes under tests/tmp: a copy per run keeps the cached
    # source read-only and concurrent runs apart.
    work = os.path.join(root, "redis")
    shutil.copytree(os.path.join(src, "tests"), os.path.join(work, "tests"),
                    symlinks=True)
    rules = skips()
    skipfile = os.path.join(root, "skip.txt")
    with open(skipfile, "w") as f:
        f.write("".join(p + "\n" for p, _ in rules))
    srv = sl.Wtkv(os.path.join(root, "db")).start()
    total_ok, all_skipped = 0, []
    try:
        for unit in UNITS:
            passed, skipped, problems = run_unit(work, srv.port, skipfile,
                                                 unit)
            total_ok += len(passed)
            all_skipped += skipped
            for p in problems:
                print(f"  {unit}: {p}")
            check(not problems and passed,
                  f"redis {version} {unit}: {len(passed)} passed, "
                  f"{len(skipped)} skipped, {len(problems)} failed")
            check(srv.alive(), f"wtkv serve still up after {unit}")
    finally:
        rc = srv.stop()
        check(rc == 0, f"wtkv serve exits 0 on SIGTERM (got {rc})")
    for pattern, reason in rules:
        hit = any(re.search(pattern[1:], n) for n in all_skipped) \
            if pattern.startswith("/") else pattern in all_skipped
        if not hit:
            print(f"note: skip pattern {pattern!r} ({reason}) matched no test")
    print(f"Redis {version}'s own tests against wtkv serve: {total_ok} "
          f"passed, {len(all_skipped)} skipped (tests/server/redis_suite.skip)")
    shutil.rmtree(root, ignore_errors=True)
    if sl.failures:
        print(f"{len(sl.failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
