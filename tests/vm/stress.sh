#!/bin/bash
# Inside the VM: several wt_fsx processes at once, on one shared file
# (disjoint regions, so the inode lock and folios are contended) and on
# separate files; each verifies its bytes after every operation. Extra
# arguments go to every wt_fsx.
. "$(dirname "$0")/lib.sh"
shift
mkxfs "$WT_DISK0" /tmp/xfs
n=4 ops=${WT_STRESS_OPS:-600}
pids=()
for i in $(seq 0 $((n - 1))); do
  "$B/wt_fsx" --file /tmp/xfs/shared --region $((i * 262144)):262144 --seed $((100 + i)) \
    --ops $ops "$@" >/tmp/stress-shared-$i.log 2>&1 &
  pids+=($!)
  "$B/wt_fsx" --file /tmp/xfs/own-$i --seed $((200 + i)) --ops $ops --maxlen 262144 "$@" \
    >/tmp/stress-own-$i.log 2>&1 &
  pids+=($!)
done
bad=0 skipped=0
for p in "${pids[@]}"; do
  wait "$p"; rc=$?
  [ $rc = 77 ] && skipped=1
  [ $rc = 0 ] || [ $rc = 77 ] || bad=1
done
cat /tmp/stress-*.log
[ $skipped = 1 ] && skip "write-through not supported on this kernel"
[ $bad = 0 ] || fail "a parallel wt_fsx failed (logs above)"
umount /tmp/xfs
echo "stress: $((2 * n)) parallel wt_fsx processes (shared file and own files) verified"
