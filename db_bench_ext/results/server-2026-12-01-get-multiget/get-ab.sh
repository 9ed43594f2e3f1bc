#!/bin/bash
# GET -c 50 -P $P against two wtkv binaries, interleaved pairs, each on a
# fresh database on one XFS loop filesystem; prints ops/s (redis-benchmark
# --csv) and the server's CPU ticks (utime+stime) over the GETs.
#   [P=16 N=2000000] get-ab.sh OLD_WTKV NEW_WTKV [PAIRS]
#   (root; GET pipeline depth P, N GETs; pins server to CPU 1 and
#   redis-benchmark to CPU 0, as the pinned run in README.md; drop the
#   taskset prefixes for the unpinned one)
set -e
old=$1 new=$2 pairs=${3:-6} P=${P:-16} N=${N:-2000000}
work=$(mktemp -d)
truncate -s 4G "$work/img"
loop=$(losetup -f --show "$work/img")
mkfs.xfs -q -f "$loop"
mkdir "$work/mnt" && mount "$loop" "$work/mnt"
trap 'umount "$work/mnt"; losetup -d "$loop"; rm -rf "$work"' EXIT
run() {  # binary label
  rm -rf "$work/mnt/db"
  taskset -c 1 "$1" --db "$work/mnt/db" --mode dsync --memtable hash \
    --write-buffer-size 16777216 serve --port 6390 >"$work/serve.log" 2>&1 &
  local pid=$!
  sleep 1.5
  redis-benchmark -p 6390 -t set -n 500000 -c 50 -P 16 -d 100 -r 100000 -q >/dev/null
  redis-benchmark -p 6390 -t set -n 16384 -c 50 -P 16 -d 4096 -r 1000000 -q >/dev/null
  for _ in $(seq 60); do  # RocksDB's flushes and compactions done
    busy=$(redis-cli -p 6390 info persistence | tr -d '\r' |
           awk -F: '/^rocksdb_(flush|compaction)/ {s += $2} END {print s}')
    [ "$busy" = 0 ] && break
    sleep 0.5
  done
  local c0 c1 r
  c0=$(awk '{print $14 + $15}' /proc/$pid/stat)
  r=$(taskset -c 0 redis-benchmark -p 6390 -t get -n "$N" -c 50 -P "$P" -d 100 -r 100000 --csv | tail -1)
  c1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  kill $pid && wait $pid || true
  echo "$2 $r cpu_ticks=$((c1 - c0))"
}
for i in $(seq "$pairs"); do
  if [ $((i % 2)) = 1 ]; then run "$old" old; run "$new" new
  else run "$new" new; run "$old" old; fi
done
