#!/bin/bash
# Inside the VM: power-cut test on dm-log-writes. XFS on a log-writes
# device records every write in completion order; wt_durability writes
# records with WRITETHROUGH|DSYNC and marks the log after each
# acknowledgement. Then the log is replayed onto a blank image one
# durability point (FLUSH or FUA entry) at a time, and at each point the
# image is mounted (log recovery included) and every record acknowledged
# before that point must be there, intact, in its acknowledged version.
# $2 = rw flags for the workload (default wt,dsync). "control" runs plain
# buffered writes without any sync instead and passes only if the check
# DOES find a lost acknowledged write: proof that the check can fail.
# WT_DUR_RECORDS = N sets the size: 2.5 x N acknowledged writes (default 12:
# 30 writes). WT_DUR_SAMPLE = S checks at most S durability points, evenly
# spaced, plus the last entry of the log (default: every point); the replay
# itself still goes through every entry in order, only the mount+verify is
# sampled (it costs ~2 s a point under TCG). The control ignores it: the
# loss it must find lies between two points, which a sample can skip.
. "$(dirname "$0")/lib.sh"
flags=${2:-wt,dsync} control=0
[ "$flags" = control ] && { flags=none control=1; }
data=$WT_DISK0 log=$WT_DISK1
sz=$(blockdev --getsz "$data")
dmsetup create lw --table "0 $sz log-writes $data $log" || fail "dmsetup create log-writes"
# -K: no discard of the whole device (the replay image stays sparse).
mkfs.xfs -q -f -K /dev/mapper/lw >/dev/null || fail mkfs
mkdir -p /tmp/mnt && mount /dev/mapper/lw /tmp/mnt || fail "mount log-writes device"
w0=$(date +%s)
"$B/wt_durability" write /tmp/mnt/records --records ${WT_DUR_RECORDS:-12} --qd 8 --dm lw --flags "$flags" ||
  fail "workload"
umount /tmp/mnt
dmsetup remove lw || fail "dmsetup remove"
echo "workload: $(($(date +%s) - w0)) s"

"$B/wt_logwrites" points "$log" >/tmp/points || fail "reading the log"
start=$(awk '$2 == "mark" && $3 == "start" { print $1; exit }' /tmp/points)
[ -n "$start" ] || fail "no start mark in the log"
nrec=${WT_DUR_RECORDS:-12}
truncate -s $((sz * 512)) /tmp/replay.img
last=-1 checked=0 t0=$(date +%s)
echo "log: $(wc -l </tmp/points) points/marks, $(awk -v s="$start" '$1 > s && ($2 == "flush" || $2 == "fua")' /tmp/points | wc -l) durability points after the start mark"
# Every durability point after the file was created (or an even sample of
# them), plus the last entry.
final=$(awk 'END { print $1 }' /tmp/points)
awk -v s="$start" '$1 > s && ($2 == "flush" || $2 == "fua") { print $1 }' /tmp/points >/tmp/dpoints
total=$(wc -l </tmp/dpoints)
sample=${WT_DUR_SAMPLE:-0}
[ $control = 0 ] || sample=0
if [ "$sample" -gt 0 ] && [ "$total" -gt "$sample" ]; then
  awk -v n="$total" -v k="$sample" 'int((NR - 1) * k / n) != int(NR * k / n)' /tmp/dpoints >/tmp/dpoints.s
  mv /tmp/dpoints.s /tmp/dpoints
  echo "checking a sample of $(wc -l </tmp/dpoints) of the $total durability points, plus the last entry"
fi
# The acknowledgements in log order, once: "entry k v".
awk '$2 == "mark" && $3 ~ /^ack:/ { split($3, a, ":"); print $1, a[2], a[3] }' /tmp/points >/tmp/acks
for p in $(cat /tmp/dpoints) "$final"; do
  [ "$p" -gt "$last" ] || continue
  "$B/wt_logwrites" replay "$log" /tmp/replay.img $((last + 1)) "$p" || fail "replay to $p"
  last=$p
  # Acknowledged before this point: the newest acked version per record.
  { echo "n $nrec"
    awk -v p="$p" '$1 < p { v[$2] = $3 } END { for (k in v) print k, v[k] }' /tmp/acks
  } >/tmp/acked
  cp --sparse=always /tmp/replay.img /tmp/check.img
  loop=$(losetup -f --show /tmp/check.img) || fail losetup
  mount -t xfs "$loop" /tmp/mnt || fail "replay to entry $p does not mount"
  out=$("$B/wt_durability" verify /tmp/mnt/records /tmp/acked) || {
    umount /tmp/mnt; losetup -d "$loop"
    if [ $control = 1 ]; then
      echo "control (buffered, no sync): loss detected as expected at entry $p: $out"
      exit 0
    fi
    fail "replay to entry $p: $out"
  }
  umount /tmp/mnt; losetup -d "$loop"
  checked=$((checked + 1))
done
acks=$(grep -c ' mark ack:' /tmp/points)
[ $control = 0 ] || fail "control: un-synced buffered writes survived all $checked replay points; the check cannot see a loss"
[ "$checked" -gt 0 ] || fail "no durability point after the start mark"
echo "durability ($flags): $acks acknowledged writes, $checked replay points checked (of $total FLUSH/FUA points, plus the last entry) in $(($(date +%s) - t0)) s, none lost"
