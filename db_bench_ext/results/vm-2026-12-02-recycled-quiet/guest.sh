#!/bin/bash
# Guest half: fillasync --recycle_wals 2 (and 0), writethrough, interleaved,
# on an XFS made on the guest's NVMe (FUA); callbacks on completion (default).
set -u
# /tmp/fa5/fillasync: build/fillasync of main 770ca4f, copied there so that
# no rebuild could change it mid-run.
mkfs.xfs -f -q "$WT_DISK0"
mkdir -p /tmp/famnt
mount "$WT_DISK0" /tmp/famnt
uptime
for rep in 1 2 3 4 5; do
  for rw in 2 0; do
    [ $rw = 0 ] && [ $rep -gt 2 ] && continue
    echo "=== rep=$rep recycle_wals=$rw"
    /tmp/fa5/fillasync --db /tmp/famnt/fa --mode writethrough \
      --recycle_wals $rw --threads 1 --num 5000 --baseline_num 1000 \
      --qd1_count 500 || echo "=== FAILED rc=$?"
  done
done
uptime
umount /tmp/famnt
