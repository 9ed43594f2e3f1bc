#!/bin/bash
# Guest half of the issue-15 VM comparison with recycled WALs: redis_bench
# on an XFS on the guest's NVMe (FUA), patched kernel.
set -eu
mkfs.xfs -f -q "$WT_DISK0"
mkdir -p /tmp/rbmnt
mount "$WT_DISK0" /tmp/rbmnt
uptime
cd /work/wt/s21
WTROCKS_BUILD_DIR=/work/wt/s21/build db_bench_ext/redis_bench --dir /tmp/rbmnt \
  --modes writethrough,writethrough-recycled --clients 50 --pipeline 1,16 \
  --repeats 2 --unix --warmup-mib 16 --out "$WT_SHARE/out"
uptime
umount /tmp/rbmnt
