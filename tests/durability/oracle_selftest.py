#!/usr/bin/env python3
"""Shows that the oracle (dur_workload verify) fails when it should.

Writes a small DB, checks that verify passes, then damages copies of it in
each way the scenarios must catch and checks that verify fails with the
matching counter: a dropped acked write (lost), a flipped value byte
(corrupted), a hole below the highest seq (lost + reordered), an ack for a
write that never happened (lost). A torn last ack line must be ignored, not
counted. Exit 0 pass, 1 fail, 77 skip.
"""

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import durlib  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", required=True)
    p.add_argument("--dir", default=None)
    args = p.parse_args()
    work = args.dir or os.path.join(durlib.scratch_dir("XFS"),
                                    "oracle-selftest")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db, acks = os.path.join(work, "db"), os.path.join(work, "acks")
    wl = args.workload

    def verify(d, a):
        rc, out = durlib.run([wl, "verify", f"--db={d}", f"--acklog={a}"])
        return rc, durlib.parse_summary(out), out

    failures = []
    rc, out = durlib.run([wl, "run", f"--db={db}", f"--acklog={acks}",
                          "--writers=2", "--ops=60", "--seed=7"])
    if rc != 0:
        print(f"workload run failed ({rc}):\n{out}")
        return 1
    rc, s, out = verify(db, acks)
    if rc != 0 or s is None or s["checked"] != 120:
        failures.append(f"clean DB: want exit 0 with checked=120:\n{out}")

    cases = [("drop", {"lost"}), ("corrupt", {"corrupted"}),
             ("hole", {"lost", "reordered"})]
    for what, counters in cases:
        d = os.path.join(work, f"db-{what}")
        shutil.copytree(db, d)
        rc, out = durlib.run([wl, "tamper", f"--db={d}", f"--acklog={acks}",
                              f"--what={what}", "--seed=7"])
        if rc != 0:
            failures.append(f"tamper {what} failed ({rc}): {out}")
            continue
        rc, s, out = verify(d, acks)
        bad = [c for c in counters if s is None or s[c] == 0]
        if rc != 1 or bad:
            failures.append(f"{what}: want exit 1 and {sorted(counters)} > 0, "
                            f"got exit {rc}:\n{out}")
        else:
            print(f"  {what}: detected ({out.strip().splitlines()[-1]})")

    # An ack for a write the DB never saw.
    phantom = os.path.join(work, "acks-phantom")
    shutil.copy(acks, phantom)
    with open(phantom, "a") as f:
        f.write("00 0000009999\n")
    rc, s, out = verify(db, phantom)
    if rc != 1 or s is None or s["lost"] != 1:
        failures.append(f"phantom ack: want exit 1, lost=1:\n{out}")
    else:
        print("  phantom ack: detected")

    # One image in every wal_recovery_mode (the torn-tail scenario): the
    # phantom ack is lost in each mode's copy.
    rc, out = durlib.run([wl, "verify", f"--db={db}", f"--acklog={phantom}",
                          "--wal_recovery_mode=all", "--reference"])
    lines = [l for l in out.splitlines() if l.startswith("recovery: ")]
    if rc != 1 or len(lines) != 4 or any(" lost=1 " not in l for l in lines):
        failures.append("phantom ack in every wal_recovery_mode: want exit 1 "
                        f"and lost=1 in 4 recovery lines, got exit {rc}:\n{out}")
    else:
        print("  phantom ack in each of the 4 wal_recovery_modes: detected")
    # A FileSystem that fails to open what the reference opens: writethrough
    # where the kernel lacks the flag (a real refusal, not a fake).
    rc, out = durlib.run([wl, "probe", work, "writethrough"])
    if rc == durlib.SKIP:
        rc, out = durlib.run([wl, "verify", f"--db={db}", f"--acklog={acks}",
                              "--mode=writethrough",
                              "--wal_recovery_mode=absolute_consistency",
                              "--reference"])
        if (rc != 1 or "fs=tested wal_recovery_mode=absolute_consistency "
                "opened=0" not in out or "fs=reference" not in out):
            failures.append("fails where the reference opens: want exit 1, "
                            f"got exit {rc}:\n{out}")
        else:
            print("  tested FileSystem fails where the reference opens: "
                  "detected")
    else:
        print("  (writethrough works here: the fails-where-the-reference-"
              "opens case needs a kernel without it)")

    # SIGKILL can cut the last line short: it is not an ack.
    torn = os.path.join(work, "acks-torn")
    shutil.copy(acks, torn)
    with open(torn, "a") as f:
        f.write("01 00000")
    rc, s, out = verify(db, torn)
    if rc != 0 or "torn_ack_lines=1" not in out:
        failures.append(f"torn ack line: want exit 0, torn_ack_lines=1:\n{out}")
    else:
        print("  torn last ack line: ignored")

    shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("FAILED:\n" + "\n\n".join(failures))
        print("replay: " + durlib.cmdline([sys.executable,
                                           os.path.abspath(__file__),
                                           f"--workload={wl}"]))
        return 1
    print("oracle selftest: every kind of damage detected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
