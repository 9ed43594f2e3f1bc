#!/bin/bash
# Guest half: fillasync with and without recycled WALs (--recycle_wals),
# writethrough, interleaved, on an XFS made on the guest's NVMe (FUA).
set -u
mkfs.xfs -f -q "$WT_DISK0"
mkdir -p /tmp/famnt
mount "$WT_DISK0" /tmp/famnt
uptime
for rep in 1 2 3; do
  for rw in 0 2; do
    echo "=== rep=$rep recycle_wals=$rw"
    /work/wt/integ2/build/fillasync --db /tmp/famnt/fa --mode writethrough \
      --recycle_wals $rw --threads 1 --num 5000 --baseline_num 1000 \
      --qd1_count 500 || echo "=== FAILED rc=$?"
  done
done
uptime
umount /tmp/famnt
