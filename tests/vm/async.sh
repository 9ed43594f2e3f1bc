#!/bin/bash
# Inside the VM, patched kernel: is an io_uring WRITETHROUGH|DSYNC write
# truly asynchronous? QD32 overwrites of written blocks must complete with
# no io-wq worker ever existing; buffered RWF_DSYNC on the same kernel and
# disk is shown for contrast (it blocks the submitter or punts).
# WT_ASYNC_COUNT = writes per run (default 2000; the debug kernel's run
# takes 500: tests/vm/CMakeLists.txt).
. "$(dirname "$0")/lib.sh"
mkxfs "$WT_DISK0" /tmp/xfs
run() { "$B/wt_devbench" --file /tmp/xfs/bench --bs 4096 --count "${WT_ASYNC_COUNT:-2000}" "$@"; }
# --warmup 1: one synchronous write-through pass over the range first. The
# pre-write caches the file in large folios on a THP kernel (the debug
# config); a write-through that covers part of one splits it, once, in a
# context that may block, and is asynchronous from then on (v2 without the
# split fell back to a synchronous write every time: 8 io-wq workers).
wt=$(run --mode writethrough --pattern overwrite --qd 32 --warmup 1) || fail "wt_devbench writethrough: $wt"
echo "$wt"
ds=$(run --mode dsync --pattern overwrite --qd 32 --warmup 1) || fail "wt_devbench dsync: $ds"
echo "$ds"
# Appends need block allocation: those are allowed to punt (documented).
run --mode writethrough --pattern append --qd 32 || fail "wt_devbench writethrough append"
umount /tmp/xfs
wrk=${wt##*iou_wrk_max=}
[ "$wrk" = 0 ] || fail "WRITETHROUGH|DSYNC QD32 overwrite used $wrk io-wq workers (buffered dsync: ${ds##*iou_wrk_max=})"
echo "truly async: WRITETHROUGH|DSYNC overwrites at QD32 used 0 io-wq workers; buffered RWF_DSYNC used ${ds##*iou_wrk_max=}"
