#!/bin/bash
# Inside the VM: wt_fsx on XFS on NVMe, remounting every 250 ops so what
# reached the disk is verified, not only the cache.
#
#   fsx.sh BUILD [--mkfs "MKFS.XFS OPTIONS"] [--stable-writes] [--memcg MAX]
#                [--fill-free BYTES] [WT_FSX ARGS...]
#
# --mkfs           extra mkfs.xfs options (-b size=1024, -m reflink=1, ...)
# --stable-writes  the disk demands stable pages during writeback (as zram,
#                  rbd, integrity NVMe, raid5 do): set before mkfs/mount
# --memcg MAX      run wt_fsx in a cgroup whose memory.max is MAX (the page
#                  cache is reclaimed under it all the time); SKIPPED when
#                  the kernel has no memory controller (tinyconfig)
# --fill-free B    fill the file system until only B bytes are free (for
#                  wt_fsx --enospc)
# The remaining arguments go to wt_fsx (e.g. --no-writethrough, --seed).
# WT_FSX_OPS overrides the operation count (default 1500).
. "$(dirname "$0")/lib.sh"
shift
mkfsopts="" stable=0 memcg="" fillfree=""
while [ $# -gt 0 ]; do
  case "$1" in
  --mkfs) mkfsopts=$2; shift 2 ;;
  --stable-writes) stable=1; shift ;;
  --memcg) memcg=$2; shift 2 ;;
  --fill-free) fillfree=$2; shift 2 ;;
  *) break ;;
  esac
done
if [ $stable = 1 ]; then
  q=/sys/block/$(basename "$WT_DISK0")/queue/stable_writes
  echo 1 >"$q" 2>/dev/null && [ "$(cat "$q")" = 1 ] || fail "cannot set $q"
fi
# shellcheck disable=SC2086 # word splitting of the options is the point
mkfs.xfs -q -f $mkfsopts "$WT_DISK0" >/dev/null || fail "mkfs.xfs $mkfsopts $WT_DISK0"
mkdir -p /tmp/xfs && mount -t xfs "$WT_DISK0" /tmp/xfs || fail "mount $WT_DISK0"
echo "fsx: mkfs.xfs $mkfsopts; $(xfs_info /tmp/xfs | grep -o 'bsize=[0-9]*' | sed -n 2p) $(xfs_info /tmp/xfs | grep -o 'reflink=[0-9]')$([ $stable = 1 ] && echo ', stable_writes=1')"
if [ -n "$fillfree" ]; then
  avail=$(($(stat -f -c "%a*%S" /tmp/xfs)))
  xfs_io -f -c "falloc 0 $((avail - fillfree))" /tmp/xfs/filler || fail "filling the file system"
  echo "fsx: filled, $(($(stat -f -c "%a*%S" /tmp/xfs))) bytes free"
fi
run=("$B/wt_fsx" --file /tmp/xfs/fsx --ops "${WT_FSX_OPS:-1500}" --remount-every 250
     --dev "$WT_DISK0" --mnt /tmp/xfs --drop-caches "$@")
if [ -n "$memcg" ]; then
  mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg 2>/dev/null ||
    skip "no cgroup2 in this kernel ($WT_KCONFIG config)"
  grep -qw memory /tmp/cg/cgroup.controllers || skip "no memory controller in this kernel"
  echo +memory >/tmp/cg/cgroup.subtree_control || fail "enabling the memory controller"
  mkdir /tmp/cg/fsx && echo "$memcg" >/tmp/cg/fsx/memory.max || fail "memory.max=$memcg"
  # The remounts need the whole VM's view; the cgroup only limits memory.
  bash -c 'echo $$ >/tmp/cg/fsx/cgroup.procs && exec "$@"' fsx "${run[@]}"
  rc=$?
  echo "fsx: memory.max=$memcg: $(grep -E '^(file|anon) ' /tmp/cg/fsx/memory.stat | tr '\n' ' ')" \
       "events: $(tr '\n' ' ' </tmp/cg/fsx/memory.events)"
  grep -q '^oom_kill [1-9]' /tmp/cg/fsx/memory.events && fail "wt_fsx was OOM-killed under memory.max=$memcg"
else
  "${run[@]}"
  rc=$?
fi
umount /tmp/xfs
exit $rc
