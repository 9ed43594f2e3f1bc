#!/bin/bash
# compare_dry_run.sh SRC_DIR BUILD_DIR: compare --dry-run plans the matrix
# with the baseline first and the repeats interleaved (A B A B, not A A B B),
# and rejects unknown workloads and modes; a wtrocks mode may carry URI
# items (auto+defer=0), a baseline may not.
set -u
src=$1 build=$2
out=$("$src/compare" --dry-run --build="$build" --workloads=fillsync_t1 \
  --modes=fsync,default --repeats=2 --seconds=1) || { echo "FAIL: dry run failed: $out"; exit 1; }
got=$(echo "$out" | sed -n 's/^plan [0-9]* rep=\([0-9]\) workload=\([a-z_0-9]*\) mode=\([a-z]*\):.*/\1 \2 \3/p' | tr '\n' ';')
want="1 fillsync_t1 default;1 fillsync_t1 fsync;2 fillsync_t1 default;2 fillsync_t1 fsync;"
if [ "$got" != "$want" ]; then
  echo "FAIL: plan was '$got', wanted '$want'"; echo "$out"; exit 1
fi
echo "$out" | grep -q -- 'scenarios/0001_fillsync_t1.sh fsync <fs>/db 1$' ||
  { echo "FAIL: scenario command missing from the plan:"; echo "$out"; exit 1; }
out=$("$src/compare" --dry-run --build="$build" --workloads=fillsync_t1 \
  --modes=default,auto+defer=0+waiter=off --repeats=1 --seconds=1) ||
  { echo "FAIL: MODE+key=value refused: $out"; exit 1; }
echo "$out" | grep -q -- 'scenarios/0001_fillsync_t1.sh auto+defer=0+waiter=off <fs>/db 1$' ||
  { echo "FAIL: MODE+key=value missing from the plan:"; echo "$out"; exit 1; }
for bad in --modes=bogus --workloads=bogus --modes=default,tuned+defer=0 \
  --modes=default,auto+defer; do
  if err=$("$src/compare" --dry-run "$bad" 2>&1); then
    echo "FAIL: compare accepted $bad"; exit 1
  fi
  [[ "$err" == *"unknown"* ]] || { echo "FAIL: unclear error for $bad: $err"; exit 1; }
done
echo "ok: plan $got"
