#!/bin/bash
# On the host (no VM): wt_fsx --no-writethrough on the scratch XFS loop
# device, remounting every 250 operations. The host kernel has no
# write-through; this pins down that the tool's model and the regular paths
# agree, so a VM failure with the flag points at the kernel, not the tool.
B=${1:?usage: $0 BUILD_DIR}
env=${WTROCKS_SCRATCH_ENV:?run under ctest (scratch fixture)}
xfs=$(sed -n 's/^WTROCKS_SCRATCH_XFS=//p' "$env")
case "$xfs" in
"" | SKIP*) echo "[  SKIPPED ] no scratch XFS: ${xfs:-not set up}"; exit 77 ;;
esac
dev=$(findmnt -n -o SOURCE "$xfs") || { echo "[  SKIPPED ] $xfs is not a mount point"; exit 77; }
exec "$B/wt_fsx" --file "$xfs/wt_fsx_host" --ops 800 --no-writethrough \
  --remount-every 250 --dev "$dev" --mnt "$xfs" --seed 7
