#!/bin/bash
# Inside the VM, patched kernel: an fsync that waits on a failing
# write-through must report the error. The write's I/O goes to dm-error
# through dm-delay (so it is still in flight when the fsync starts and the
# fsync sleeps on the folios' writeback); when the completion ends that
# writeback, the error must already be in the mapping, or the woken fsync
# returns 0 while the disk holds the old data. A race, so many iterations;
# the tool counts how many fsyncs really waited and the test needs most of
# them to have.
. "$(dirname "$0")/lib.sh"
io=$B/wt_io
dmsetup targets | grep -qw delay || skip "no dm-delay target (CONFIG_DM_DELAY: debug config only)"
delay_ms=100 iters=${WT_EIO_ITERS:-100} len=65536

sz=$(blockdev --getsz "$WT_DISK0")
dmsetup create wtl --table "0 $sz linear $WT_DISK0 0" || fail "dmsetup create wtl"
mkxfs /dev/mapper/wtl /tmp/dm
f=/tmp/dm/e
$io write $f 0 $len 0x01 --flags none >/dev/null || fail "setup write"
$io fsync $f >/dev/null || fail "setup fsync"
p=$(( $(phys_offset $f) / 512 ))
n=$((len / 512))
# Only the file's blocks change: each bio to them waits delay_ms and then
# fails. The log and the inode stay fast and writable, so an fsync that
# takes delay_ms/2 or more has waited on the data I/O and nothing else.
dmsetup create wte --table "0 $n error" || fail "dmsetup create wte"
dmsetup suspend wtl
dmsetup load wtl --table "0 $p linear $WT_DISK0 0
$p $n delay /dev/mapper/wte 0 $delay_ms
$((p + n)) $((sz - p - n)) linear $WT_DISK0 $((p + n))" || fail "dmsetup load wtl"
dmsetup resume wtl

out=$($io fsync-race $f $len $iters $((delay_ms / 2)))
rc=$?
echo "$out"
failed=$(echo "$out" | sed -nE 's/.* ([0-9]+) failed, .*/\1/p')
waited=$(echo "$out" | sed -nE 's/.* ([0-9]+) fsyncs waited.*/\1/p')
[ "$rc" = 0 ] || fail "an fsync that waited on a failed write-through returned 0"
[ "${failed:-0}" -ge $((iters * 9 / 10)) ] ||
  fail "only ${failed:-0} of $iters write-throughs onto dm-error failed: the test did not test"
[ "${waited:-0}" -ge $((iters / 2)) ] ||
  fail "only ${waited:-0} of $iters fsyncs waited on the write's I/O: the test did not test"
pass "$waited fsyncs waited on a failing write-through; every one returned the error"

dmsetup suspend wtl
dmsetup load wtl --table "0 $sz linear $WT_DISK0 0" || fail "dmsetup load wtl (restore)"
dmsetup resume wtl
umount /tmp/dm || fail "umount"
dmsetup remove wtl && dmsetup remove wte
echo "eio-fsync: all checks passed"
