#!/bin/bash
# wal_bench A/B: waiter_writes on/off, dsync and fsync, 1 and 16 threads, interleaved
set -u
MNT=/tmp/w13-xfs2/mnt; mkdir -p $MNT; truncate -s 4G /tmp/w13-xfs2/img
LOOP=$(losetup -f --show /tmp/w13-xfs2/img); mkfs.xfs -q -f $LOOP; mount $LOOP $MNT
trap 'umount $MNT; losetup -d $LOOP; rm -f /tmp/w13-xfs2/img' EXIT
uptime
for rep in 1 2 3; do
 for t in 1 16; do
  for w in 0 1; do
   echo "rep=$rep threads=$t waiter_writes=$w"
   /work/wt/w13/build/wal_bench --dir=$MNT --mode=dsync --threads=$t --record_bytes=128 --seconds=3 --prealloc_bytes=1048576 --probe=false --waiter_writes=$w --defer_bytes=1048576 2>&1 | grep -E "records/s|dsync"
  done
 done
done
uptime
