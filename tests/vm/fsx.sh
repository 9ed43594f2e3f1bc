#!/bin/bash
# Inside the VM: wt_fsx on XFS on NVMe, remounting every 250 ops so what
# reached the disk is verified, not only the cache. Extra arguments go to
# wt_fsx (e.g. --no-writethrough, --seed).
. "$(dirname "$0")/lib.sh"
shift
mkxfs "$WT_DISK0" /tmp/xfs
"$B/wt_fsx" --file /tmp/xfs/fsx --ops ${WT_FSX_OPS:-1500} --remount-every 250 \
  --dev "$WT_DISK0" --mnt /tmp/xfs --drop-caches "$@"
rc=$?
umount /tmp/xfs
exit $rc
