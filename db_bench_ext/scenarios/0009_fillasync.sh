#!/bin/bash
# what: async durable commits, 1 thread, 32 in flight (issue 7); default = stock fillsync
# durable: yes
. "$(dirname "$0")/common.sh"
# Stock db_bench has no async commit: the default row is what issue 7 states
# its target against, stock fillsync with 1 thread (the tuned row: the same
# with recycled WALs). Every wtrocks mode runs
# build/fillasync (db_bench_ext/fillasync/) with its own baselines off.
if [ "$MODE" = default ] || [ "$MODE" = tuned ]; then
  run_db_bench fillsync --benchmarks=fillsync --threads=1 --num=1000000000
  exit 0
fi
tool=$WT_BUILD/fillasync
if [ ! -x "$tool" ]; then
  echo "scenario $SCENARIO: SKIPPED: $tool not built"
  exit 77
fi
mkdir -p "$DB"
out=$(mktemp)
echo "scenario-report: fillasync"
"$tool" --db="$DB" --mode="$MODE" --threads=1 --num=$((10000 * SECONDS_PER_RUN)) \
  --inflight=32 --baseline=false --qd1_count=0 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || { rm -f "$out"; echo "scenario $SCENARIO: FAILED: fillasync exit $rc"; exit 1; }
check_completed "$out" fillasync
rm -f "$out"
