#!/bin/bash
# compare-stock-db-bench.sh PLUGIN_SO OUT_DIR [ROUNDS]
#
# Stock /usr/bin/db_bench with and without the wtrocks plugin on a private
# loop-device XFS (made with `losetup -f`, removed on exit). Runs every
# (benchmark, filesystem URI) pair ROUNDS times, interleaved so that load from
# other processes on a shared machine hits every configuration alike, and
# prints one line per run:
#   <bench> <config> ops=<ops/s> p50=<us> p99=<us> p999=<us>
# Raw db_bench output goes to OUT_DIR. This is a measurement, not a test.
# WTROCKS_BENCH_PREFIX runs db_bench under a wrapper, e.g. "chrt -f 10" so
# that on a machine shared with compiles the scheduler delays neither the
# default FileSystem's fdatasync caller nor wal/'s completion thread.
set -euo pipefail
plugin=$(realpath "${1:?path to libwtrocks.so}")
out=$(realpath -m "${2:?output dir}")
rounds=${3:-3}
mkdir -p "$out"
img="$out/xfs.img" mnt="$out/mnt" dev=""
cleanup() {
  mountpoint -q "$mnt" && umount "$mnt"
  [ -n "$dev" ] && losetup -d "$dev"
  rm -f "$img"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
truncate -s 4G "$img"
dev=$(losetup -f --show "$img")
mkfs.xfs -q -f "$dev"
mkdir -p "$mnt"
mount "$dev" "$mnt"

# name|db_bench arguments (sizes chosen to finish in tens of seconds on a
# loaded 2-core machine; --num is per thread, and fillsync needs --num >= 1000
# because it writes into num/1000 distinct keys).
benches=(
  "fillsync_1t|--benchmarks=fillsync --num=3000 --threads=1"
  "fillsync_16t|--benchmarks=fillsync --num=1000 --threads=16"
  "fillrandom_sync1|--benchmarks=fillrandom --sync=1 --num=3000"
  "fillrandom_sync0|--benchmarks=fillrandom --sync=0 --num=1000000"
)
configs=(
  "default|"
  "wtrocks_auto|wtrocks://"
  "wtrocks_direct|wtrocks://mode=direct"
  "wtrocks_dsync|wtrocks://mode=dsync"
  "wtrocks_fsync|wtrocks://mode=fsync"
)
[ -n "${WTROCKS_BENCH_CONFIGS:-}" ] && read -ra configs <<<"$WTROCKS_BENCH_CONFIGS"
[ -n "${WTROCKS_BENCH_BENCHES:-}" ] && IFS=';' read -ra benches <<<"$WTROCKS_BENCH_BENCHES"

for r in $(seq 1 "$rounds"); do
  for b in "${benches[@]}"; do
    bname=${b%%|*} bargs=${b#*|}
    for c in "${configs[@]}"; do
      cname=${c%%|*} uri=${c#*|}
      rm -rf "$mnt/db"
      log="$out/$bname.$cname.$r.txt"
      pre=() fsarg=()
      if [ -n "$uri" ]; then
        pre=(env LD_PRELOAD="$plugin" WTROCKS_STATS="$log.stats")
        fsarg=(--fs_uri="$uri")
      fi
      # shellcheck disable=SC2086
      ${WTROCKS_BENCH_PREFIX:-} "${pre[@]}" db_bench "${fsarg[@]}" --db="$mnt/db" --histogram=1 \
        --statistics=0 $bargs >"$log" 2>&1 || { echo "$bname $cname FAILED (see $log)"; continue; }
      ops=$(awk '$2 == ":" && $4 == "micros/op" {print $5; exit}' "$log")
      pct=$(grep -m1 '^Percentiles:' "$log" | sed 's/Percentiles: //' || true)
      p50=$(sed -n 's/.*P50: \([0-9.]*\).*/\1/p' <<<"$pct")
      p99=$(sed -n 's/.*P99: \([0-9.]*\).*/\1/p' <<<"$pct")
      p999=$(sed -n 's/.*P99.9: \([0-9.]*\).*/\1/p' <<<"$pct")
      echo "$bname $cname ops=$ops p50=$p50 p99=$p99 p999=$p999 round=$r"
    done
  done
done
