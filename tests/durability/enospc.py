#!/usr/bin/env python3
"""Full-disk scenario: run dur_workload on the 16 MiB ext4 scratch until
the filesystem is full.

Checks, in order:
  1. the workload stops with a write error (RocksDB reported it; nothing
     after the failing write of each writer was acknowledged);
  2. while the disk is still full, a read-only open finds every acked write
     (nothing acknowledged was lost);
  3. after a ballast file made beforehand is deleted, a normal open (with
     recovery) finds every acked write, the DB takes new writes, and stock
     ldb / sst_dump accept it.
Prints  durability: scenario=enospc mode=M points=1 acked_checked=N lost=0
corrupted=0 ...  Exit 0 pass, 1 fail (with the replay command), 77 skip.
"""

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import durlib  # noqa: E402

# Deleted to free space after the disk filled. The WAL variant needs more:
# reopening flushes the whole recovered memtable into one SST.
BALLAST_BYTES = {"sst": 3 << 20, "wal": 6 << 20}
WRITE_BUFFER = {"sst": 256 << 10, "wal": 64 << 20}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", required=True)
    p.add_argument("--mode", required=True)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--dir", default=None,
                   help="a directory on a small filesystem (default: the "
                        "SMALL scratch fs)")
    p.add_argument("--max-seconds", type=float, default=180)
    p.add_argument("--variant", choices=("sst", "wal"), default="sst",
                   help="sst: small memtables, the disk fills during flushes "
                        "and compactions; wal: a memtable bigger than the "
                        "disk, so a WAL append is what hits ENOSPC")
    return p.parse_args()


def main():
    args = parse_args()
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    work = args.dir or os.path.join(durlib.scratch_dir("SMALL"),
                                    f"enospc-{args.variant}-{args.mode}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rc, out = durlib.run([args.workload, "probe", work, args.mode])
    if rc == durlib.SKIP:
        shutil.rmtree(work, ignore_errors=True)
        durlib.skip(out.strip())
    if rc != 0:
        print(f"probe failed ({rc}): {out}")
        return 1
    db = os.path.join(work, "db")
    # The ack log must not live on the full filesystem: a failed ack write
    # would stop the oracle, not the database.
    ack_dir = os.environ.get("TMPDIR", "/tmp")
    acklog = os.path.join(ack_dir, f"wtrocks-enospc-acks-{args.mode}-"
                          f"{os.getpid()}")
    common = [f"--mode={args.mode}",
              f"--write_buffer={WRITE_BUFFER[args.variant]}"]
    # Through wtrocks the info LOG fills the disk with the rest (the
    # FileSystem's own Logger counts the lines it cannot write). RocksDB's
    # own Logger would abort the stock run at its next line (see DbOptions
    # in dur_workload.cc), so that one logs elsewhere.
    log_dir = None
    if args.mode == "default":
        log_dir = os.path.join(ack_dir, f"wtrocks-enospc-log-{args.mode}-"
                               f"{os.getpid()}")
        os.makedirs(log_dir, exist_ok=True)
        common.append(f"--info_log_dir={log_dir}")
    ballast = os.path.join(work, "ballast")
    with open(ballast, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, BALLAST_BYTES[args.variant])
    st = os.statvfs(work)
    print(f"enospc: variant={args.variant} mode={args.mode} seed={seed} "
          f"dir={work} "
          f"free={st.f_bavail * st.f_frsize // 1024}KiB before the run",
          flush=True)

    checks = dict(checked=0, lost=0, corrupted=0, reordered=0, unexpected=0)
    problems = []

    def verify(label, extra):
        cmd = [args.workload, "verify", f"--db={db}",
               f"--acklog={acklog}"] + common + extra
        rc, out = durlib.run(cmd)
        s = durlib.parse_summary(out)
        print(f"  {label}: {out.strip().splitlines()[-1] if out.strip() else ''}",
              flush=True)
        if s:
            checks["checked"] = max(checks["checked"], s["checked"])
            for k in ("lost", "corrupted", "reordered", "unexpected"):
                checks[k] += s[k]
        if rc != 0 or s is None:
            problems.append(f"{label}: verify exited {rc}: "
                            f"{durlib.cmdline(cmd)}\n{out}")
        return s

    run_cmd = [args.workload, "run", f"--db={db}", f"--acklog={acklog}",
               "--writers=4", f"--seed={seed}",
               f"--seconds={args.max_seconds}"] + common
    rc, out = durlib.run(run_cmd, timeout=args.max_seconds + 120)
    tail = [line for line in out.splitlines() if line.startswith("run:")]
    shown = [line for line in tail if "acked=" in line] or [out[-300:]]
    print("  " + shown[-1], flush=True)
    error = ""
    for line in tail:
        if "first_error=" in line:
            error = line.split("first_error=", 1)[1]
        if "open_error=" in line:
            error = line.split("open_error=", 1)[1]
    if rc != 3 or not error.strip('"'):
        problems.append(f"the workload did not stop with a write error "
                        f"(exit {rc}) within {args.max_seconds}s:\n{out}")
    elif "space" not in error.lower():
        # Any error is honest; one that does not say "no space" makes the
        # operator's life harder, so say so (not a failure).
        print(f"  note: the error does not mention space: {error}")
    acked = durlib.ack_lines(acklog)

    if not problems:
        verify("full, read-only", ["--read_only"])
    os.unlink(ballast)
    if not problems:
        s = verify("space freed, reopen", [])
        if s is not None and s["checked"] < acked:
            problems.append(f"oracle checked {s['checked']} < {acked} acks")
    if not problems:
        more = [args.workload, "run", f"--db={db}", f"--acklog={acklog}",
                "--writers=2", "--ops=20", f"--seed={seed + 1}"] + common
        rc, out = durlib.run(more, timeout=300)
        if rc != 0:
            problems.append(f"no writes after space was freed (exit {rc}): "
                            f"{durlib.cmdline(more)}\n{out}")
        else:
            verify("after new writes", [])
    if not problems:
        problem, keys = durlib.stock_tools_check(db)
        if problem:
            problems.append(f"stock tools: {problem}")

    print(durlib.summary_line(
        f"enospc-{args.variant}", args.mode, 1, checks["checked"], checks["lost"],
        checks["corrupted"], reordered=checks["reordered"],
        unexpected=checks["unexpected"], error=error or '""',
        seed=seed, result="FAIL" if problems else "ok"), flush=True)
    if problems:
        print("FAILED:\n" + "\n".join(problems))
        print("replay: " + durlib.cmdline(
            [sys.executable, os.path.abspath(__file__),
             f"--workload={args.workload}", f"--mode={args.mode}",
             f"--variant={args.variant}", f"--seed={seed}"]) +
            "   (WTROCKS_SCRATCH_ENV must name the scratch env file)")
        # The small filesystem is shared by every ENOSPC test: move the
        # evidence off it.
        keep = os.path.join(ack_dir, f"wtrocks-enospc-db-{args.mode}-"
                            f"{os.getpid()}")
        shutil.copytree(db, keep, dirs_exist_ok=True,
                        ignore_dangling_symlinks=True)
        shutil.rmtree(work, ignore_errors=True)
        print(f"DB copied to {keep}, ack log {acklog}, info LOG in "
              f"{log_dir or keep}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    if log_dir:
        shutil.rmtree(log_dir, ignore_errors=True)
    os.unlink(acklog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
