#!/usr/bin/env python3
"""Process-crash scenario: SIGKILL dur_workload at seeded random moments.

For each mode, one DB lives through every kill point in turn: run the
workload (it resumes each writer after the highest recovered seq), SIGKILL
it after a seeded number of acknowledgements plus a seeded delay (or during
open/recovery), then reopen and verify with the oracle (every acked write
present and intact, per-writer prefix order) and check the result with
stock ldb scan and sst_dump --command=verify. One summary line per mode:

  durability: scenario=kill mode=M points=N acked_checked=N lost=0 corrupted=0

Exit 0 all points passed, 1 a point failed (the seed and the command that
replays it are printed), 77 the mode or the scratch filesystem is not
available here.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import durlib  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", required=True, help="path of dur_workload")
    p.add_argument("--mode", required=True,
                   help="default|fsync|dsync|direct|writethrough|auto")
    p.add_argument("--points", type=int, default=10)
    p.add_argument("--seed", type=int, default=None,
                   help="default: from the clock (printed)")
    p.add_argument("--dir", default=None,
                   help="work directory (default: a fresh one on the XFS "
                        "scratch filesystem)")
    p.add_argument("--fs", default="XFS", help="scratch fs kind (XFS, EXT4)")
    p.add_argument("--max-acks", type=int, default=800,
                   help="kill after at most this many acks per point")
    p.add_argument("--tools-every", type=int, default=1,
                   help="run ldb/sst_dump after every Nth point (and the last)")
    p.add_argument("--async", dest="async_", action="store_true",
                   help="commit with the KV layer's WriteAsync, 8 in flight "
                        "per writer")
    p.add_argument("--keep", action="store_true",
                   help="keep the work directory even when all passed")
    return p.parse_args()


ASYNC_RUN = ["--async", "--inflight=8"]
ASYNC_VERIFY = ["--inflight=8"]


def replay_cmd(args, seed, points):
    return durlib.cmdline([
        sys.executable, os.path.abspath(__file__),
        f"--workload={args.workload}", f"--mode={args.mode}",
        f"--points={points}", f"--seed={seed}", f"--fs={args.fs}",
        f"--max-acks={args.max_acks}", "--keep"] +
        (["--async"] if args.async_ else [])) + (
            "   (WTROCKS_SCRATCH_ENV must name the scratch env file; kill "
            "timing is seeded but the machine's speed is not, so a replay "
            "retries the same parameters, not the same instant)")


def kill_point(args, rng, db, acklog):
    """Runs the workload once and SIGKILLs it. Returns a description."""
    wseed = rng.randrange(1, 2**31)
    writers = rng.choice([1, 2, 4, 4, 8])
    during_open = rng.random() < 0.1
    target = rng.randint(0, args.max_acks)
    delay = rng.uniform(0, 0.05)
    cmd = [args.workload, "run", f"--db={db}", f"--acklog={acklog}",
           f"--mode={args.mode}", f"--writers={writers}", f"--seed={wseed}"]
    cmd += ASYNC_RUN if args.async_ else []
    base = durlib.ack_lines(acklog)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    what = f"writers={writers} seed={wseed}"
    if during_open:
        # Lands in DB::Open: WAL recovery, recovery flush, MANIFEST rewrite.
        time.sleep(rng.uniform(0, 0.3))
        what += " kill=during-open-or-early"
    else:
        deadline = time.monotonic() + 60
        while (durlib.ack_lines(acklog) - base < target and
               proc.poll() is None and time.monotonic() < deadline):
            time.sleep(0.002)
        time.sleep(delay)
        what += f" kill=after~{target}acks+{delay * 1000:.0f}ms"
    exited = proc.poll()
    if exited is None:
        proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    if exited is not None:
        # It must not stop by itself: it writes until killed.
        return what, f"workload exited {exited} before the kill:\n{out}"
    return what, None


def main():
    args = parse_args()
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    if not os.access(args.workload, os.X_OK):
        print(f"no workload binary at {args.workload}")
        return 1
    if args.dir:
        work = args.dir
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    else:
        base = durlib.scratch_dir(args.fs)
        work = os.path.join(base, f"kill-{args.mode}-{seed}" +
                            ("-async" if args.async_ else ""))
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    rc, out = durlib.run([args.workload, "probe", work, args.mode])
    if args.async_ and args.mode == "default":
        rc, out = durlib.SKIP, "async commits need a wtrocks mode"
    if rc == durlib.SKIP:
        durlib.skip(out.strip())
    if rc != 0:
        print(f"probe failed ({rc}): {out}")
        return 1
    db = os.path.join(work, "db")
    acklog = os.path.join(work, "acks")
    rng = random.Random(f"kill:{args.mode}:{seed}")
    print(f"kill: mode={args.mode} seed={seed} points={args.points} "
          f"dir={work}", flush=True)

    totals = dict(checked=0, lost=0, corrupted=0, reordered=0, unexpected=0)
    tool_runs = 0
    failure = None
    for i in range(args.points):
        what, err = kill_point(args, rng, db, acklog)
        if err:
            failure = (i, what, err)
            break
        vcmd = [args.workload, "verify", f"--db={db}", f"--acklog={acklog}",
                f"--mode={args.mode}"] + (ASYNC_VERIFY if args.async_ else [])
        rc, out = durlib.run(vcmd, timeout=600)
        s = durlib.parse_summary(out)
        if rc != 0 or s is None:
            failure = (i, what, f"verify exited {rc}: "
                       f"{durlib.cmdline(vcmd)}\n{out}")
            if s:
                for k in ("lost", "corrupted", "reordered", "unexpected"):
                    totals[k] += s[k]
            break
        totals["checked"] = s["checked"]
        last = i == args.points - 1
        if not durlib.db_exists(db) and s["checked"] == 0:
            # Killed inside the very first DB::Open: no DB, nothing acked,
            # nothing for the stock tools to open. (A missing DB with acks
            # would already have failed verify as lost writes.)
            pass
        elif last or (i + 1) % args.tools_every == 0:
            tool_runs += 1
            problem, keys = durlib.stock_tools_check(db)
            if problem is None and keys != s["keys"]:
                problem = (f"ldb scan saw {keys} keys, the oracle "
                           f"{s['keys']}")
            if problem:
                failure = (i, what, f"stock tools: {problem}")
                break
        print(f"  point {i}: {what} -> checked={s['checked']} "
              f"keys={s['keys']} ok", flush=True)

    points = args.points if failure is None else failure[0] + 1
    print(durlib.summary_line(
        "kill-async" if args.async_ else "kill", args.mode, points, totals["checked"], totals["lost"],
        totals["corrupted"], reordered=totals["reordered"],
        unexpected=totals["unexpected"], tool_checks=tool_runs,
        seed=seed, result="FAIL" if failure else "ok"), flush=True)
    if failure:
        i, what, err = failure
        print(f"FAILED at kill point {i} ({what}), mode={args.mode} "
              f"seed={seed}\n{err}")
        print(f"DB kept at {db}, ack log {acklog}")
        print(f"replay: {replay_cmd(args, seed, i + 1)}")
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
