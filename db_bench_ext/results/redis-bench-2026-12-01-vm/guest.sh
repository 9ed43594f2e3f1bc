#!/bin/bash
# Guest half of the issue-15 VM comparison: redis_bench on an XFS made on the
# guest's NVMe (FUA), patched kernel, so wtkv's writethrough mode is real.
set -eu
mkfs.xfs -f -q "$WT_DISK0"
mkdir -p /tmp/rbmnt
mount "$WT_DISK0" /tmp/rbmnt
uptime
cd /work/wt/integ2
WTROCKS_BUILD_DIR=/work/wt/integ2/build db_bench_ext/redis_bench --dir /tmp/rbmnt \
  --modes writethrough,dsync --clients 50 --pipeline 1,16 --repeats 2 --unix \
  --out "$WT_SHARE/out"
uptime
umount /tmp/rbmnt
