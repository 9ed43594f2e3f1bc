#!/bin/bash
# Inside the VM, UNPATCHED kernel: the flag is an unknown bit there, and
# userspace's probe relies on it failing with EOPNOTSUPP everywhere.
. "$(dirname "$0")/lib.sh"
mkxfs "$WT_DISK0" /tmp/xfs
for how in "" --uring; do
  out=$($B/wt_io write /tmp/xfs/a 0 4096 0x11 --flags wt,dsync $how)
  case "$out" in res=-95*) ;; *) fail "unpatched XFS $how: expected res=-95, got $out" ;; esac
done
out=$($B/wt_io write /tmp/xfs/a 0 4096 0x11 --flags dsync --uring)
[ "$out" = res=4096 ] || fail "unpatched plain RWF_DSYNC write: $out"
umount /tmp/xfs
echo "semantics-unpatched: EOPNOTSUPP from pwritev2 and io_uring on XFS"
