#!/bin/bash
# ioerr-guest.sh BUILD_DIR MODE[,MODE...] SEED
#
# Runs INSIDE the VM (started by vm-scenario.sh; $WT_DISK0 is the disk).
# I/O-error scenario: XFS on a device-mapper device that starts as a plain
# linear mapping; dur_workload writes RocksDB through MODE; after a seeded
# number of acknowledgements the table is swapped for dm-flakey with
# error_writes (every write now fails with EIO, reads still work). Then:
#   - the workload must stop with an error (RocksDB reported it);
#   - after unmounting (the page cache goes), putting the linear table back
#     and mounting again (XFS log recovery), every write the workload
#     acknowledged must be present: a write acknowledged after the fault
#     could not have reached the disk and shows up as lost;
#   - the DB must then take new writes.
# Several modes run one after the other in one VM (a boot is the dear part
# under TCG), each on a fresh filesystem with one summary line. A mode the
# probe rejects fails the run, except writethrough on an unpatched kernel,
# which is SKIPPED; exit 77 only when every mode was skipped.
# Exit 0 pass, 1 fail, 77 skipped.
set -uo pipefail
export PATH=/usr/sbin:/sbin:$PATH
B=${1:?build dir} modes=${2:?modes} seed=${3:?seed}
W=$B/dur_workload
data=${WT_DISK0:?no disk}
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$W" ] || fail "$W missing"
sz=$(blockdev --getsz "$data")
linear="0 $sz linear $data 0"
# up 0 s, down 1 s: always down; error_writes: fail writes, serve reads.
flakey="0 $sz flakey $data 0 0 1 1 error_writes"
swap_table() {
  dmsetup suspend fl && dmsetup load fl --table "$1" && dmsetup resume fl
}

one_mode() {
dmsetup create fl --table "$linear" || fail "dmsetup create"
mkfs.xfs -q -f /dev/mapper/fl >/dev/null || fail "mkfs.xfs"
mkdir -p /tmp/mnt /tmp/log && mount -t xfs /dev/mapper/fl /tmp/mnt || fail mount
out=$("$W" probe /tmp/mnt "$mode")
case $? in
0) ;;
77) umount /tmp/mnt; dmsetup remove fl
   if [ "$mode" = writethrough ] && [ "${WT_KERNEL:-}" = unpatched ]; then
     echo "SKIPPED: mode $mode: $out"; skipped=$((skipped + 1)); return 0
   fi
   fail "mode $mode unsupported on this kernel ($WT_KERNEL): $out" ;;
*) fail "probe: $out" ;;
esac

# The fault lands after 20..219 acks (seeded).
target=$((20 + seed % 200))
"$W" run --db=/tmp/mnt/db --acklog=/tmp/acks --mode="$mode" --writers=4 \
  --seed="$seed" --seconds=120 --info_log_dir=/tmp/log >/tmp/run.out 2>&1 &
wpid=$!
while kill -0 $wpid 2>/dev/null &&
  [ $(( $(stat -c %s /tmp/acks 2>/dev/null || echo 0) / 14 )) -lt $target ]; do
  sleep 0.05
done
kill -0 $wpid 2>/dev/null || { cat /tmp/run.out; fail "workload ended before the fault"; }
before=$(( $(stat -c %s /tmp/acks) / 14 ))
swap_table "$flakey" || fail "loading the flakey table"
# Acks logged up to here may still be of writes that completed before the
# suspend; the oracle decides, the count is for the record.
live=$(( $(stat -c %s /tmp/acks) / 14 ))
wait $wpid
wrc=$?
after=$(( $(stat -c %s /tmp/acks) / 14 ))
cat /tmp/run.out
grep -q 'first_error="[^"]' /tmp/run.out && [ $wrc -eq 3 ] ||
  fail "the workload did not report a write error (exit $wrc)"
echo "ioerr: mode=$mode seed=$seed acks_when_swap_began=$before acks_when_flakey_live=$live acks_total=$after"

umount /tmp/mnt || umount -l /tmp/mnt || fail "umount after the fault"
swap_table "$linear" || fail "restoring the linear table"
mount -t xfs /dev/mapper/fl /tmp/mnt || fail "mount after the fault"
out=$("$W" verify --db=/tmp/mnt/db --acklog=/tmp/acks --mode="$mode" --info_log_dir=/tmp/log 2>&1)
vrc=$?
echo "$out" | tail -5
s=$(echo "$out" | grep -o 'checked=.*' | tail -1)
get() { echo "$s" | grep -o "$1=[0-9]*" | cut -d= -f2; }
result=ok
if [ $vrc -ne 0 ]; then
  result=FAIL
else
  more=$("$W" run --db=/tmp/mnt/db --acklog=/tmp/acks --mode="$mode" --writers=2 --ops=20 \
    --seed=$((seed + 1)) --info_log_dir=/tmp/log 2>&1) || { echo "$more"; result=FAIL; }
  [ $result = ok ] && { "$W" verify --db=/tmp/mnt/db --acklog=/tmp/acks --mode="$mode" \
    --info_log_dir=/tmp/log >/tmp/v2 2>&1 || { cat /tmp/v2; result=FAIL; }; }
fi
echo "durability: scenario=ioerr mode=$mode points=1 acked_checked=$(get checked) lost=$(get lost) corrupted=$(get corrupted) reordered=$(get reordered) unexpected=$(get unexpected) acks_after_flakey_live=$((after - live)) seed=$seed result=$result"
umount /tmp/mnt
dmsetup remove fl
[ $result = ok ] || fail "mode $mode seed $seed"
ran=$((ran + 1))
}

ran=0 skipped=0
for mode in ${modes//,/ }; do
  rm -f /tmp/acks /tmp/run.out
  one_mode
done
[ $ran -gt 0 ] || { echo "[  SKIPPED ] every mode was skipped"; exit 77; }
exit 0
