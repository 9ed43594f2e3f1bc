#!/bin/bash
# usage: host-ab.sh BIN TAG: per-thread CPU and context switches of wtkv serve
# (BIN) under redis-benchmark SET -c 50 -P 1, on an XFS loop mount at $P/mnt
# (P defaults to /tmp/p).
BIN=$1; TAG=$2
D=${P:-/tmp/p}/mnt/db-$TAG; rm -rf $D
$BIN --db $D --mode auto --recycle-wals 2 --write-buffer-size 16777216 --memtable hash serve --port 7390 > ${P:-/tmp/p}/srv-$TAG.log 2>&1 &
PID=$!
for i in $(seq 50); do redis-cli -p 7390 ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -p 7390 -t set -n 100000 -r 100000 -d 4096 -c 8 -q >/dev/null   # warm-up
snap() { for t in /proc/$PID/task/*; do echo "$(basename $t):$(cat $t/comm) $(awk '{print $14+$15}' $t/stat) $(grep -E '^(voluntary|nonvoluntary)' $t/status | awk '{print $2}' | paste -sd' ')"; done | sort; }
snap > ${P:-/tmp/p}/a-$TAG
redis-benchmark -p 7390 -t set -n 200000 -r 100000 -d 100 -c 50 -P 1 -q
snap > ${P:-/tmp/p}/b-$TAG
join ${P:-/tmp/p}/a-$TAG ${P:-/tmp/p}/b-$TAG | awk '{if ($5-$2 > 0) printf "%-22s cpu %6.1f us/SET  vcs %5.2f/SET ivcs %5.2f/SET\n", $1, ($5-$2)*10000/200000, ($6-$3)/200000, ($7-$4)/200000; c+=($5-$2); v+=($6-$3)} END {printf "TOTAL cpu %.1f us/SET vcs %.2f/SET\n", c*10000/200000, v/200000}'
redis-cli -p 7390 info persistence | grep -E "commit|fsync|durable" | head
kill $PID; wait $PID
