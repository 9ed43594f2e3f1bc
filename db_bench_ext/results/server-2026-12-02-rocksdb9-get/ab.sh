#!/bin/bash
# GET -c 50 at pipeline 1 and 16: redis-server always, wtkv on RocksDB 7.8.3
# (Debian 12, host) and wtkv on RocksDB 9.10 (Debian 13 root), pinned:
# server on CPU 1, redis-benchmark on CPU 0; TCP on loopback; interleaved.
set -e
co=${CHECKOUT:-$(cd "$(dirname "$0")/../../.." && pwd)}  # the checkout (its build/ and build-rocksdb9/)
mnt=$co/.bench-mnt
img=/tmp/r9/img
truncate -s 4G $img
loop=$(losetup -f --show $img); mkfs.xfs -q -f $loop
mkdir -p $mnt && mount $loop $mnt
trap 'pkill -f "wtkv --db" || true; pkill redis-server || true; sleep 1; umount $mnt; losetup -d $loop; rmdir $mnt; rm -f $img' EXIT
P=6391
flags="--mode dsync --memtable hash --write-buffer-size 16777216 --recycle-wals 2"
start() {
  rm -rf $mnt/db; mkdir -p $mnt/db
  case $1 in
  redis) taskset -c 1 redis-server --port $P --dir $mnt/db --save '' --appendonly yes --appendfsync always >/dev/null 2>&1 & ;;
  r78) taskset -c 1 $co/build/wtkv --db $mnt/db/w $flags serve --port $P >/tmp/r9/serve.log 2>&1 & ;;
  r910) taskset -c 1 $co/scripts/trixie-root.sh enter build-rocksdb9/wtkv --db /wtrocks/.bench-mnt/db/w $flags serve --port $P >/tmp/r9/serve.log 2>&1 & ;;
  esac
  for _ in $(seq 100); do redis-cli -p $P ping >/dev/null 2>&1 && break; sleep 0.2; done
  if [ $1 = redis ]; then pid=$(pgrep -f "redis-server.*:$P" | head -1); else pid=$(pgrep -f "wtkv --db" | tail -1); fi
}
for rep in 1 2 3; do
  for s in redis r78 r910; do
    start $s
    redis-benchmark -p $P -t set -n 262144 -c 50 -P 16 -d 100 -r 100000 -q >/dev/null
    redis-benchmark -p $P -t set -n 16384 -c 50 -P 16 -d 4096 -r 1000000 -q >/dev/null
    redis-benchmark -p $P -t set -n 50000 -c 50 -P 1 -d 100 -r 100000 -q >/dev/null
    sleep 4
    for pl in 1 16; do
      n=$((pl == 1 ? 300000 : 2000000))
      c0=$(awk '{print $14 + $15}' /proc/$pid/stat)
      r=$(taskset -c 0 redis-benchmark -p $P -t get -n $n -c 50 -P $pl -d 100 -r 100000 --csv | tail -1)
      c1=$(awk '{print $14 + $15}' /proc/$pid/stat)
      echo "rep=$rep $s P=$pl $r cpu_us_per_get=$(echo "scale=2; ($c1 - $c0) * 10000 / $n" | bc)"
    done
    if [ $s = redis ]; then redis-cli -p $P shutdown nosave >/dev/null 2>&1 || true; else kill $pid; fi
    sleep 1.5
  done
done
