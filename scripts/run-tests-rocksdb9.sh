#!/bin/bash
# run-tests-rocksdb9.sh: the RocksDB 9.10 leg of `make test` (issue 14).
#
# Builds wtrocks in a Debian 13 root (scripts/trixie-root.sh: Debian 13's
# packages, librocksdb-dev and rocksdb-tools 9.10) into build-rocksdb9/ and
# runs there, against RocksDB 9.10:
#   - the unit and RocksDB integration ctests (labels unit, integration;
#     not vm), which include stock 9.10 db_bench/ldb/sst_dump through the
#     plugin (engine_stock_tools_test, db_bench_ext/tests);
#   - the short durability kill runs, one per mode (durability_kill_*);
#   - scripts/check-upstream-plugin.sh: engine/plugin inside RocksDB 9.10's
#     own make and CMake builds (counted as one test).
# Ends with one line "wtrocks (rocksdb 9.10.0): N passed, N failed, N skipped"
# that scripts/run-tests.sh folds into its totals. A machine that cannot make
# or enter the root prints "SKIPPED: <reason>" and counts as 1 skipped.
#
#   scripts/run-tests-rocksdb9.sh            from the host (needs root)
#   scripts/run-tests-rocksdb9.sh --inside   what runs inside the root
#   scripts/run-tests-rocksdb9.sh --build-only   build in the root, no tests
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${WTROCKS_ROCKSDB9_BUILD:-build-rocksdb9}
JOBS=${JOBS:-$(nproc)}
export JOBS

case "${1:-}" in
--inside | --build-only-inside)
  LOG=$BUILD/test-logs
  mkdir -p "$LOG"
  # shellcheck source=lib/ctest-totals.sh
  . scripts/lib/ctest-totals.sh
  version=$(pkg-config --modversion rocksdb 2>/dev/null || echo unknown)
  label="wtrocks (rocksdb $version)"
  echo "== Debian $(cat /etc/debian_version), RocksDB $version, $(g++ --version | head -1)"
  if build "$BUILD" all && [ "$1" = --inside ]; then
    # Not here: the vm tests (kernel, not RocksDB) and RocksDB 7.8.3's own
    # test suite (tests/rocksdb, built from Debian 12's source package). The
    # server tests run with Debian 13's redis-cli, redis-benchmark and, as
    # conformance's reference, redis-server 8.0.
    run_ctest rocksdb9 "$BUILD" -L 'unit|integration' -LE 'vm|rocksdb'
    run_ctest rocksdb9-kill "$BUILD" -R '^durability_kill_'
    durability_lines "$BUILD" "rocksdb $version"
    # One more test: engine/plugin inside RocksDB 9.10's own builds.
    echo "== upstream plugin build (scripts/check-upstream-plugin.sh)"
    scripts/check-upstream-plugin.sh --inside 2>&1 | tee "$LOG/upstream-plugin.log"
    case ${PIPESTATUS[0]} in
    0) passed=$((passed + 1)) ;;
    77) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)); broken+=("upstream-plugin") ;;
    esac
  fi
  [ ${#broken[@]} -eq 0 ] || echo "failing ($label): ${broken[*]}"
  echo "$label: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
  exit
  ;;
--build-only) inner=--build-only-inside ;;
"") inner=--inside ;;
*) echo "usage: $0 [--build-only]" >&2; exit 2 ;;
esac

start=$SECONDS
scripts/trixie-root.sh enter scripts/run-tests-rocksdb9.sh "$inner"
rc=$?
if [ "$rc" -eq 77 ]; then
  # trixie-root.sh printed "SKIPPED: <reason>" on stderr.
  echo "wtrocks (rocksdb 9.10): 0 passed, 0 failed, 1 skipped"
  exit 0
fi
echo "== rocksdb 9.10 leg: $((SECONDS - start)) s"
exit "$rc"
