#!/bin/bash
# Inside the VM, patched kernel: an io_uring write-through must complete with
# its full length. io_uring issues it non-blocking first; if that attempt
# copies part of the range and then meets something that would block (here:
# an uncached partial block that needs a read), it must not submit the part
# and complete short, because io_uring only continues partial writes that
# return synchronously. Setup per case: a 16 KiB file, written and synced,
# caches dropped, then only its first page brought back into the cache by a
# whole-page buffered write (no readahead) and fsync.
. "$(dirname "$0")/lib.sh"
io=$B/wt_io
mkxfs "$WT_DISK0" /tmp/xfs
[ "$(stat -f -c %S /tmp/xfs)" = 4096 ] || skip "XFS block size is not 4096"

f=/tmp/xfs/short
n=0
for len in 4196 12388; do
  for fl in wt wt,dsync; do
    n=$((n + 1))
    rm -f $f
    $io write $f 0 16384 0x10 --flags none >/dev/null || fail "setup write"
    $io fsync $f >/dev/null || fail "setup fsync"
    drop_caches
    $io write $f 0 4096 0x11 --flags none >/dev/null || fail "first page"
    $io fsync $f >/dev/null || fail "first page fsync"
    byte=$((0x20 + n))
    out=$($io write $f 0 $len $byte --flags $fl --uring)
    [ "$out" = "res=$len" ] ||
      fail "io_uring $fl write of $len bytes at 0 with only page 0 cached: $out (expected res=$len)"
    $io verify $f 0 $len $byte >/dev/null || fail "$len bytes ($fl): cached read-back"
    $io verify $f $len $((16384 - len)) 0x10 >/dev/null || fail "$len bytes ($fl): bytes after the write"
    drop_caches
    $io verify $f 0 $len $byte >/dev/null || fail "$len bytes ($fl): read-back after drop_caches"
    pass "io_uring $fl write of $len bytes, only page 0 cached: res=$len, data on disk"
  done
done
umount /tmp/xfs
echo "short-completion: all checks passed"
