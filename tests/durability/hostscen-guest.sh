#!/bin/bash
# hostscen-guest.sh BUILD_DIR MODE KILL_POINTS SEED
#
# Runs INSIDE the VM: the host scenarios (SIGKILL, full disk) on our
# kernel, for the modes the host kernel cannot run (writethrough answers
# EOPNOTSUPP on the host). Makes the scratch filesystems the host fixture
# would: XFS on $WT_DISK0 and a 16 MiB XFS on a loop device (XFS, not
# ext4, because only XFS opts in to RWF_WRITETHROUGH), then runs
# crash_kill.py and enospc.py (both variants) exactly as on the host.
# Exit 0 pass, 1 fail, 77 MODE unsupported here.
set -uo pipefail
export PATH=/usr/sbin:/sbin:/usr/bin:/bin
here=$(cd "$(dirname "$0")" && pwd)
B=${1:?build dir} mode=${2:?mode} points=${3:?points} seed=${4:?seed}
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p /tmp/xfs /tmp/small
mkfs.xfs -q -f "${WT_DISK0:?no disk}" >/dev/null && mount -t xfs "$WT_DISK0" /tmp/xfs || fail "XFS on $WT_DISK0"
truncate -s 16M /tmp/small.img
# mkfs.xfs refuses < 300 MB unless told it is a test filesystem.
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f /tmp/small.img >/dev/null || fail "mkfs small XFS"
loop=$(losetup -f --show /tmp/small.img) && mount -t xfs "$loop" /tmp/small || fail "mount small XFS"
printf 'WTROCKS_SCRATCH_XFS=/tmp/xfs\nWTROCKS_SCRATCH_SMALL=/tmp/small\n' >/tmp/scratch.env
export WTROCKS_SCRATCH_ENV=/tmp/scratch.env TMPDIR=/tmp
py=/usr/bin/python3
rc_all=0 ran=0
run() {
  "$@"
  local rc=$?
  case $rc in
  0) ran=$((ran + 1)) ;;
  77) ;;
  *) rc_all=1 ;;
  esac
}
run $py "$here/crash_kill.py" --workload="$B/dur_workload" --mode="$mode" --points="$points" --seed="$seed"
[ "$mode" = default ] || run $py "$here/crash_kill.py" --workload="$B/dur_workload" --mode="$mode" \
  --points="$points" --seed="$seed" --async
for v in sst wal; do
  run $py "$here/enospc.py" --workload="$B/dur_workload" --mode="$mode" --variant=$v --seed="$seed"
done
umount /tmp/small; losetup -d "$loop"; umount /tmp/xfs
[ $rc_all -eq 0 ] || exit 1
[ $ran -gt 0 ] || exit 77
exit 0
