#!/bin/bash
# in the VM: build/fillasync with commit callbacks on KvDb's delivery thread
# (false) and on the completing thread (true), interleaved, 3 pairs.
MNT=/tmp/vmnt; mkdir -p $MNT; mkfs.xfs -q -f $WT_DISK0; mount $WT_DISK0 $MNT
FA=$1
for rep in 1 2 3; do
  for cb in false true; do
    echo "== rep $rep callbacks_on_completion=$cb"
    rm -rf $MNT/db; mkdir -p $MNT/db
    $FA --db=$MNT/db --mode=writethrough --threads=1,4 --num=20000 --inflight=32 \
      --baseline=false --qd1_count=0 --callbacks_on_completion=$cb 2>&1 | grep -v "^$"
  done
done
