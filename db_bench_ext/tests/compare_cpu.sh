#!/bin/bash
# compare_cpu.sh SRC_DIR BUILD_DIR: every run compare records says what it
# cost in CPU (runs.csv: cpu_s, cpu_us_op, busy_pct), and the summary
# table shows it; build/fillasync's rows carry the CPU of its timed part as
# the tool itself measured it, not the warm-up's. Stock db_bench and the
# plugin for 1 s per run in a temp directory; no number is judged, only
# that each is there and possible (CPU > 0, 0 < busy <= 100).
set -u
src=$1 build=$2
tmp=$(mktemp -d /tmp/wt-cmpcpu.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
modes=default
[ -x "$build/fillasync" ] && [ -f "$build/libwtrocks.so" ] && modes=default,fsync
"$src/compare" --build="$build" --dir="$tmp" --workloads=fillrandom_nosync,fillasync \
  --modes=$modes --repeats=1 --seconds=1 --no-devbench --no-plots \
  --out="$tmp/out" >"$tmp/log" 2>&1 || { echo "FAIL: compare failed:"; tail -5 "$tmp/log"; exit 1; }
python3 - "$tmp/out" <<'PY' || exit 1
import csv, glob, os, re, sys
out = sys.argv[1]
runs = list(csv.DictReader(open(os.path.join(out, "runs.csv"))))
bad = []
for r in runs:
    what = f"{r['workload']}/{r['mode']}"
    if r["error"]:
        bad.append(f"{what}: run failed: {r['error']}")
        continue
    try:
        cpu_s, per_op, busy = (float(r.get("cpu_s") or "-"),
                               float(r.get("cpu_us_op") or "-"),
                               float(r.get("busy_pct") or "-"))
    except ValueError:
        bad.append(f"{what}: CPU columns missing: {r}")
        continue
    if not (cpu_s > 0 and per_op > 0 and 0 < busy <= 100):
        bad.append(f"{what}: impossible CPU figures {cpu_s} s, {per_op} us/op, {busy}%")
    if r["workload"] == "fillasync" and r["mode"] not in ("default", "tuned"):
        log = open(glob.glob(os.path.join(out, "log", f"fillasync.{r['mode']}.1.log"))[0]).read()
        own = re.search(r"^fillasync +:.*\bcpu_us_op=([\d.]+)", log, re.M)
        if not own or float(own.group(1)) != per_op:
            bad.append(f"{what}: cpu_us_op {per_op} is not fillasync's own "
                       f"({own.group(1) if own else 'none printed'})")
summary = open(os.path.join(out, "summary.md")).read()
if "| CPU us/op | CPU busy |" not in summary:
    bad.append("summary.md has no CPU columns")
if not runs:
    bad.append("no runs")
for b in bad:
    print("FAIL:", b)
if bad:
    sys.exit(1)
print(f"ok: {len(runs)} runs with CPU figures: " + "; ".join(
    f"{r['workload']}/{r['mode']} {r['cpu_us_op']} us/op, busy {r['busy_pct']}%" for r in runs))
PY
