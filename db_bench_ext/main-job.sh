#!/bin/bash
# main-job.sh [--rocksdb 9] BUILD_DIR: what `make bench` runs after the build.
#
# A short db_bench comparison (about 8 minutes here, under 15) on a fresh XFS
# loop filesystem: wtrocks in `auto`, the best mode this host's kernel and
# filesystem support (the table names the mode auto chose), against RocksDB's
# own FileSystem twice: with default options, and `tuned` with recycled WALs,
# what a user would pick instead of wtrocks (the options file is generated
# and shown; every row then uses 4 MiB memtables so that WALs roll). compare ends with the Markdown table; plots and CSVs
# are in the output directory it names. For the full matrix use
# db_bench_ext/compare (see db_bench_ext/README.md).
#
# --rocksdb 9 runs it in the Debian 13 root against RocksDB 9.10 (compare
# --rocksdb 9; BUILD_DIR is then build-rocksdb9, built there by
# scripts/run-tests-rocksdb9.sh --build-only; `make bench ROCKSDB=9`).
#
# Environment: WTROCKS_BENCH_OUT (output dir), WTROCKS_BENCH_ARGS (extra
# compare flags, e.g. "--repeats 5" or "--vm").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rocksdb=()
if [ "${1:-}" = --rocksdb ]; then
  case "${2:-}" in
  7) ;;
  9) rocksdb=(--rocksdb 9) ;;
  *) echo "main-job: --rocksdb takes 7 or 9" >&2; exit 2 ;;
  esac
  shift 2
fi
build=$(cd "${1:?usage: main-job.sh [--rocksdb 9] BUILD_DIR}" && pwd)
out=${WTROCKS_BENCH_OUT:-$build/bench-$(date +%Y%m%d-%H%M%S)}

for f in libwtrocks.so wt_uri_check; do
  [ -e "$build/$f" ] || echo "main-job: warning: $build/$f missing: the wtrocks rows will say SKIPPED/FAILED" >&2
done
[ "$(id -u)" -eq 0 ] || { echo "main-job: needs root for the XFS loop filesystem (or run db_bench_ext/compare --dir DIR yourself)" >&2; exit 2; }

# fillsync and fillrandom --sync=1 are where the WAL's durability cost shows;
# fillrandom --sync=0 checks that the SST path is no slower;
# fillsync_recycled_t1 is fillsync once WALs are recycled (overwrites), for
# stock (tuned) and wtrocks alike, by build/fillasync.
# shellcheck disable=SC2086
"$here/compare" "${rocksdb[@]}" --build "$build" --out "$out" \
  --workloads fillsync_t1,fillsync_t4,fillrandom_sync_t1,fillrandom_nosync,fillsync_recycled_t1 \
  --modes default,tuned,auto --repeats 3 --seconds 5 \
  --title "make bench: host best mode (auto) vs default and tuned stock" \
  ${WTROCKS_BENCH_ARGS:-}

