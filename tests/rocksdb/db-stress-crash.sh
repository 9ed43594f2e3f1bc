#!/bin/bash
# db-stress-crash.sh MODE
#
# A short blackbox crash test with RocksDB's db_stress (built by
# scripts/build-rocksdb-tests.sh): run it on the scratch XFS, kill -9 it
# every WTROCKS_STRESS_INTERVAL seconds (default 20) for WTROCKS_STRESS_ROUNDS
# rounds (default 3), then one last run that finishes by itself.
#
# With --disable_wal=0 and --sync_fault_injection=0 a process kill must lose
# nothing that DB::Write acknowledged (the WAL bytes are in the kernel before
# Write returns, RocksDB's Flush contract). db_stress keeps the expected
# value of every key in --expected_values_dir (pending writes may have
# either value) and, on each start, verifies the whole DB against it and
# prints "Crash-recovery verification passed/failed". A round passes only
# when that line says passed before the kill.
#
# MODE: default (no plugin, the reference) or a wtrocks mode (LD_PRELOAD of
# libwtrocks.so and --fs_uri=wtrocks://mode=MODE).
# Environment: WTROCKS_SCRATCH_ENV, WTROCKS_BUILD_DIR. Exit 0 / 1 / 77.
set -uo pipefail
mode=${1:?mode}
build=${WTROCKS_BUILD_DIR:?WTROCKS_BUILD_DIR}
exe=$build/rocksdb-tests/bin/db_stress
rounds=${WTROCKS_STRESS_ROUNDS:-3} interval=${WTROCKS_STRESS_INTERVAL:-20}

skip() { echo "[  SKIPPED ] db_stress crash mode=$mode: $*"; echo "rocksdb: bin=db_stress_crash mode=$mode SKIPPED ($*)"; exit 77; }
# See run-rocksdb-test.sh: no RocksDB sources to build from is a SKIP.
[ -x "$exe" ] || [ ! -f "$build/rocksdb-tests/skipped" ] || skip "$(cat "$build/rocksdb-tests/skipped")"
[ -x "$exe" ] || { echo "$exe missing (the rocksdb_tests_build fixture failed?)"; exit 1; }
xfs=$(sed -n 's/^WTROCKS_SCRATCH_XFS=//p' "${WTROCKS_SCRATCH_ENV:?WTROCKS_SCRATCH_ENV}" 2>/dev/null)
case "$xfs" in "" | SKIP*) skip "no scratch XFS: ${xfs:-no env file}" ;; esac

pre=()
fsarg=()
if [ "$mode" != default ]; then
  plugin=$build/libwtrocks.so
  [ -f "$plugin" ] || { echo "$plugin missing"; exit 1; }
  # See run-rocksdb-test.sh: a refused or unsupported mode is a SKIP.
  uri_check=$(LD_PRELOAD="$plugin" "$build/wt_uri_check" --lib="$plugin" --fs_uri="wtrocks://mode=$mode" 2>&1) || {
    [ "$mode" != auto ] || { echo "$uri_check"; exit 1; }
    skip "the plugin refuses wtrocks://mode=$mode: ${uri_check#*does not load: }"
  }
  if [ "$mode" != auto ]; then
    probe=$("$build/wal_probe" "$xfs" 2>&1 | grep -E "^ *$mode: " | head -1)
    case "$probe" in *": yes"*) ;; *) skip "mode $mode on $xfs: ${probe:-wal_probe gave no answer}" ;; esac
  fi
  pre=(env LD_PRELOAD="$plugin")
  fsarg=(--fs_uri="wtrocks://mode=$mode")
fi

work=$xfs/db-stress-$mode
logs=${WTROCKS_ROCKSDB_LOGS:-$build/rocksdb-tests/logs}/db_stress_crash-$mode
rm -rf "$work" "$logs" && mkdir -p "$work/db" "$work/expected" "$logs"
trap 'rm -rf "$work"' EXIT

# Small memtables and files so the rounds also flush and compact.
args=(--db="$work/db" --expected_values_dir="$work/expected"
      --destroy_db_initially=0 --reopen=0 --disable_wal=0 --sync_fault_injection=0
      --max_key=100000 --threads=4 --column_families=1 --clear_column_family_one_in=0
      --write_buffer_size=1048576 --target_file_size_base=1048576
      --max_bytes_for_level_base=4194304 --value_size_mult=8 "${fsarg[@]}")

fail() { echo "db_stress crash mode=$mode: $*"; echo "rocksdb: bin=db_stress_crash mode=$mode FAILED ($*)"; exit 1; }
verified() { grep -q 'Crash-recovery verification passed' "$1"; }
start=$(date +%s)
for r in $(seq 1 "$rounds"); do
  log=$logs/round-$r.log
  "${pre[@]}" "$exe" "${args[@]}" --ops_per_thread=100000000 >"$log" 2>&1 &
  pid=$!
  sleep "$interval"
  if ! kill -0 $pid 2>/dev/null; then
    wait $pid; rc=$?
    tail -20 "$log"
    fail "round $r: db_stress exited with $rc before the kill (log $log)"
  fi
  kill -9 $pid; wait $pid 2>/dev/null
  if grep -q 'verification failed\|Verification failed' "$log"; then
    grep -m5 'erification failed\|Value not found' "$log"
    fail "round $r: verification failed (log $log)"
  fi
  # Round 1 starts from an empty DB; later rounds must have verified the
  # state the previous kill left.
  [ "$r" -eq 1 ] || verified "$log" || fail "round $r: no verification before the kill (log $log)"
  echo "round $r: killed after ${interval}s$( [ "$r" -eq 1 ] || echo ', verification of the previous kill passed')"
done
log=$logs/final.log
"${pre[@]}" "$exe" "${args[@]}" --ops_per_thread=2000 >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! verified "$log"; then
  grep -m5 'erification failed\|Value not found\|Corruption\|IO error' "$log"
  tail -5 "$log"
  fail "final run: exit $rc (log $log)"
fi
echo "final run: verification of the last kill passed, db_stress exit 0"
echo "rocksdb: bin=db_stress_crash mode=$mode rounds=$rounds interval=${interval}s result=PASSED seconds=$(($(date +%s) - start))"
