#!/bin/bash
# tuned_baseline.sh SRC_DIR BUILD_DIR: the `tuned` baseline really runs with
# recycled WALs, and cannot silently lose its tuning.
#
# Stock db_bench with compare's generated options files, for a few seconds:
# - compare's tuned.ini: the run passes and the OPTIONS file RocksDB wrote
#   keeps recycle_log_file_num;
# - the same file with wal_recovery_mode=kPointInTimeRecovery: RocksDB before
#   9.1 sets recycling to 0 without a word; the scenario must fail and say so.
# No timing is asserted.
set -u
src=$1
tmp=$(mktemp -d /tmp/wt-tuned.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$src/compare" --options-only "$tmp" --memtable-mb 1 --recycle 4 ||
  { echo "FAIL: compare could not generate the options files"; exit 1; }
base=$tmp/options/base.ini tuned=$tmp/options/tuned.ini
grep -q '^ *recycle_log_file_num=4$' "$tuned" || { echo "FAIL: tuned.ini lacks recycle_log_file_num=4"; exit 1; }
grep -q '^ *write_buffer_size=1048576$' "$base" || { echo "FAIL: base.ini lacks the memtable size"; exit 1; }

version=$(sed -n 's/^ *rocksdb_version=//p' "$base")
out=$(WTROCKS_BENCH_OPTIONS=$base WTROCKS_BENCH_TUNED_OPTIONS=$tuned \
  "$src/scenarios/0006_fillrandom_nosync.sh" tuned "$tmp/db" 3 2>&1)
rc=$?
line=$(echo "$out" | grep '^tuned-check:')
if [ $rc -ne 0 ] || [ -z "$line" ]; then
  echo "FAIL: tuned run (exit $rc) did not pass its check:"; echo "$out" | tail -5; exit 1
fi
echo "ok: tuned run: $line"
case "$line" in
*reused_wals=0) echo "FAIL: 3 s of fillrandom with 1 MiB memtables reused no WAL"; exit 1 ;;
esac

case "$version" in
[0-8].* | 9.0.*)
  sed 's/^\( *wal_recovery_mode=\).*/\1kPointInTimeRecovery/' "$tuned" >"$tmp/sanitized.ini"
  rm -rf "$tmp/db"
  out=$(WTROCKS_BENCH_OPTIONS=$base WTROCKS_BENCH_TUNED_OPTIONS=$tmp/sanitized.ini \
    "$src/scenarios/0006_fillrandom_nosync.sh" tuned "$tmp/db" 2 2>&1)
  rc=$?
  if [ $rc -eq 0 ] || [[ "$out" != *"recycle_log_file_num=0, not 4"* ]]; then
    echo "FAIL: RocksDB $version dropped recycling (point-in-time recovery) and the tuned run did not fail clearly (exit $rc):"
    echo "$out" | tail -3; exit 1
  fi
  echo "ok: RocksDB $version without kSkipAnyCorruptedRecords: $(echo "$out" | grep FAILED | tail -1)"
  ;;
*) echo "ok: RocksDB $version honours recycling with point-in-time recovery (no negative case)" ;;
esac

# The recycled fillsync scenario (build/fillasync): its tuned row measures
# stock RocksDB writing into a recycled WAL, or fails (fillasync checks the
# LOG after its warm-up).
build=$2
if [ -x "$build/fillasync" ]; then
  out=$(WTROCKS_BUILD_DIR=$build "$src/scenarios/0010_fillsync_recycled_t1.sh" tuned "$tmp/db-recycled" 2 2>&1)
  rc=$?
  line=$(echo "$out" | grep -E '^fillsync +: .* ops/sec')
  if [ $rc -ne 0 ] || [ -z "$line" ]; then
    echo "FAIL: fillsync_recycled_t1 tuned (exit $rc):"; echo "$out" | tail -5; exit 1
  fi
  echo "ok: fillsync_recycled_t1 tuned: ${line:0:100}"
else
  echo "note: $build/fillasync not built: fillsync_recycled_t1 not checked"
fi
