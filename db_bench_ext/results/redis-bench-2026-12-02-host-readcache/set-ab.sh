#!/bin/bash
# set-ab.sh READ_CACHE_BYTES PORT [wtkv flags]: 100k keys, GETs that fill
# the read cache, then 300k timed SETs; prints SET/s and the server's CPU
# per SET. BUILD: the build dir (default build); TMP: scratch (default
# /tmp/wtkv-ab). Server on CPU 1, redis-benchmark on CPU 0.
rc=$1; port=$2; shift 2
mkdir -p "${TMP:-/tmp/wtkv-ab}"
d=${TMP:-/tmp/wtkv-ab}/db-$port; rm -rf $d
taskset -c 1 ${BUILD:-build}/wtkv --db $d --mode dsync --memtable hash "$@" serve --port $port --read-cache $rc > ${TMP:-/tmp/wtkv-ab}/srv-$port.log 2>&1 &
pid=$!
for i in $(seq 50); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.2; done
taskset -c 0 redis-benchmark -p $port -t set -n 100000 -r 100000 -c 50 -P 16 -d 100 --csv >/dev/null
taskset -c 0 redis-benchmark -p $port -t get -n 300000 -r 100000 -c 50 -P 16 -d 100 --csv >/dev/null
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
out=$(taskset -c 0 redis-benchmark -p $port -t set -n 300000 -r 100000 -c 50 -P 16 -d 100 --csv | tail -1)
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
echo "rc=$rc $out cpu_us_per_set=$(python3 -c "print(($t1-$t0)*10000/300000)")"
kill $pid; wait $pid 2>/dev/null
