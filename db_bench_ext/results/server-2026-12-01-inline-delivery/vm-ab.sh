#!/bin/bash
# usage (in the VM: vm-run.sh --share OUT -- vm-ab.sh BIN...): per-thread
# CPU and context switches of each wtkv serve BIN, then of redis-server
# appendfsync always (NOREDIS=1: not), under redis-benchmark SET -c 50 -P 1;
# 3 interleaved repeats (the first run here had 2).
OUTD=$WT_SHARE; N=${N:-40000}; MNT=/tmp/vmnt; mkdir -p $MNT
mkfs.xfs -q -f $WT_DISK0; mount $WT_DISK0 $MNT
snap() { for t in /proc/$1/task/*; do echo "$(basename $t):$(cat $t/comm) $(awk '{print $14+$15}' $t/stat) $(grep -E '^(voluntary|nonvoluntary)' $t/status | awk '{print $2}' | paste -sd' ')"; done | sort; }
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6}' /proc/stat; }
measure() { # PID TAG
  local PID=$1 TAG=$2
  for i in $(seq 100); do redis-cli -s /tmp/rs.sock ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-benchmark -s /tmp/rs.sock -t set -n 16000 -r 100000 -d 4096 -c 8 -q >/dev/null
  snap $PID > $OUTD/a-$TAG; b0=$(busy)
  redis-benchmark -s /tmp/rs.sock -t set -n $N -r 100000 -d 100 -c 50 -P 1 -q | tr '\r' '\n' | grep "per second" 
  snap $PID > $OUTD/b-$TAG; b1=$(busy)
  echo "$b0 $b1" | awk '{printf "guest busy %.0f%%\n", 100*($3-$1)/(($3-$1)+($4-$2))}'
  join $OUTD/a-$TAG $OUTD/b-$TAG | awk -v N=$N '{c=($5-$2); if (c>0) printf "%-22s cpu %6.1f us/SET  vcs %5.2f/SET ivcs %5.2f/SET\n", $1, c*10000/N, ($6-$3)/N, ($7-$4)/N; t+=c; v+=($6-$3)} END {printf "TOTAL cpu %.1f us/SET vcs %.2f/SET\n", t*10000/N, v/N}'
}
for rep in 1 2 3; do
for BIN in "$@"; do
  TAG=$(basename $(dirname $BIN))-$rep; D=$MNT/db-$TAG
  echo "== $BIN rep $rep"
  $BIN --db $D --mode writethrough --recycle-wals 2 --write-buffer-size 16777216 --memtable hash serve --unix /tmp/rs.sock > $OUTD/srv-$TAG.log 2>&1 &
  PID=$!
  measure $PID $TAG
  redis-cli -s /tmp/rs.sock info persistence | grep -E "^durable_commits|time_to_durable_p99"
  kill $PID; wait $PID
done
[ -n "$NOREDIS" ] && continue
echo "== redis-always rep $rep"
mkdir -p $MNT/redis-$rep
redis-server --port 0 --unixsocket /tmp/rs.sock --dir $MNT/redis-$rep --save '' --appendonly yes --appendfsync always > $OUTD/redis.log 2>&1 &
PID=$!
measure $PID redis-$rep
kill $PID; wait $PID
done
