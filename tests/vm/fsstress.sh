#!/bin/bash
# Inside the VM: a parallel stress in the style of fsstress. Six processes
# at once on one XFS: three share one file (disjoint regions, so the inode
# lock, the folios at region borders and the extent tree are contended;
# each with overlapping in-flight writes of its own and cold-cache ops),
# three work on eight files each (many inodes, allocation, collapse/insert,
# copy/clone, a writer killed mid-write). Every process writes through
# (with and without DSYNC, pwritev2 and io_uring) among buffered, direct
# and mmap I/O, and verifies its bytes after each operation. Then: umount,
# `xfs_repair -n` (the metadata must be consistent), mount again, and
# every file must hold exactly what its process's model says.
# Extra arguments go to every wt_fsx (e.g. --no-writethrough).
# WT_STRESS_OPS overrides the per-process operation count (default 500).
. "$(dirname "$0")/lib.sh"
shift
mkxfs "$WT_DISK0" /tmp/xfs
ops=${WT_STRESS_OPS:-500} seed=${WT_STRESS_SEED:-300}
mkdir -p /tmp/models
pids=() names=()
for i in 0 1 2; do
  "$B/wt_fsx" --file /tmp/xfs/shared --region $((i * 524288)):524288 --seed $((seed + i)) \
    --ops "$ops" --overlap --cold --nowait --copy --save-model /tmp/models/shared-$i "$@" \
    >/tmp/fsstress-shared-$i.log 2>&1 &
  pids+=($!) names+=(shared-$i)
  mkdir -p /tmp/xfs/d$i
  "$B/wt_fsx" --file /tmp/xfs/d$i/f --nfiles 8 --maxlen 131072 --seed $((seed + 10 + i)) \
    --ops "$ops" --overlap --falloc-modes --copy --kill --save-model /tmp/models/own-$i "$@" \
    >/tmp/fsstress-own-$i.log 2>&1 &
  pids+=($!) names+=(own-$i)
done
bad=() skipped=0
for k in "${!pids[@]}"; do
  wait "${pids[$k]}"; rc=$?
  [ $rc = 77 ] && skipped=1
  [ $rc = 0 ] || [ $rc = 77 ] || bad+=("${names[$k]}")
done
for f in /tmp/fsstress-*.log; do echo "== $(basename "$f" .log)"; cat "$f"; done
[ $skipped = 1 ] && skip "write-through not supported on this kernel"
[ ${#bad[@]} = 0 ] || fail "wt_fsx failed: ${bad[*]} (seed base $seed; logs above)"
umount /tmp/xfs || fail umount
xfs_repair -n "$WT_DISK0" >/tmp/repair.log 2>&1 || { cat /tmp/repair.log; fail "xfs_repair -n found problems after the stress"; }
mount "$WT_DISK0" /tmp/xfs || fail "mount after xfs_repair -n"
files=0
for i in 0 1 2; do
  cmp -i $((i * 524288)):0 -n 524288 /tmp/xfs/shared /tmp/models/shared-$i ||
    fail "shared file region $i differs from its model after umount/repair/mount"
  for j in $(seq 0 7); do
    cmp /tmp/xfs/d$i/f.$j /tmp/models/own-$i.$j || fail "d$i/f.$j differs from its model after umount/repair/mount"
    files=$((files + 1))
  done
done
umount /tmp/xfs
pass "fsstress: 6 processes x $ops ops (seeds $seed..$((seed + 12))), xfs_repair -n clean, 3 regions + $files files verified after remount"
