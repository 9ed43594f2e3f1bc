#!/bin/bash
# Inside the VM, patched kernel: RWF_WRITETHROUGH together with the caller's
# own RWF_NOWAIT must not wait for the device. The series refuses the
# combination with EINVAL (kernel-patches/DESIGN.md, "NOWAIT"): a
# write-through must wait for its I/O (synchronously, or before its
# completion), which is exactly what RWF_NOWAIT asks not to do. The device
# is a dm-linear target suspended without freezing the filesystem, so any
# write I/O queues until it is resumed: a write that waits for it cannot
# return. io_uring's own non-blocking first attempt (no RWF_NOWAIT) must
# still be accepted.
. "$(dirname "$0")/lib.sh"
io=$B/wt_io
sz=$(blockdev --getsz "$WT_DISK0")
dmsetup create wtn --table "0 $sz linear $WT_DISK0 0" || fail "dmsetup create"
mkxfs /dev/mapper/wtn /tmp/xfs
f=/tmp/xfs/nw
$io write $f 0 65536 0x01 --flags none >/dev/null || fail "setup write"
$io fsync $f >/dev/null || fail "setup fsync"

# Runs wt_io write ARGS with the device suspended; prints its output, or
# "waited" if it had not returned after 5 s (then resumes the device so it
# can finish, and reports that too).
suspended_write() {
  dmsetup suspend --nolockfs wtn || fail "dmsetup suspend"
  $io write "$@" >/tmp/nw.out 2>&1 &
  local pid=$! i
  for i in $(seq 50); do
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 $pid 2>/dev/null; then
    dmsetup resume wtn
    wait $pid
    echo "waited for the device, then: $(cat /tmp/nw.out)"
  else
    wait $pid
    dmsetup resume wtn
    cat /tmp/nw.out
  fi
}

for how in "" --uring; do
  for fl in wt,nowait wt,dsync,nowait; do
    out=$(suspended_write $f 0 4096 0x02 --flags $fl $how)
    case "$out" in
    res=-22*) ;;
    *) fail "${how:-pwritev2} $fl of a cached block: $out (expected res=-22 (EINVAL) at once)" ;;
    esac
    pass "${how:-pwritev2} $fl: EINVAL without waiting for the suspended device"
  done
done
$io verify $f 0 65536 0x01 >/dev/null || fail "a refused write changed the file"

# Without RWF_NOWAIT the same writes are accepted (io_uring still tries them
# non-blocking first, internally).
for how in "" --uring; do
  out=$($io write $f 0 4096 0x03 --flags wt,dsync $how)
  [ "$out" = res=4096 ] || fail "${how:-pwritev2} wt,dsync: $out"
done
$io verify $f 0 4096 0x03 >/dev/null || fail "read-back"
pass "WRITETHROUGH without NOWAIT still accepted (pwritev2, io_uring)"
umount /tmp/xfs
dmsetup remove wtn
echo "nowait: all checks passed"
