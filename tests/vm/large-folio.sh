#!/bin/bash
# Inside the VM, patched kernel with large folios (CONFIG_TRANSPARENT_HUGEPAGE;
# skipped otherwise): a write-through that covers large folios of the page
# cache must not wait on its own writeback.
#  1. Stable-writes device: the copy looks each page of a large folio up with
#     FGP_STABLE, which waits for writeback of the folio; the series used to
#     put the folio under writeback after its first page, so the write waited
#     for itself forever (hung task -> the VM panics -> this test fails).
#  2. A fatal signal during a write-through over cached large folios: the
#     failed step truncates the page cache past EOF, which used to wait on
#     the write's own writeback (D state holding the inode lock). Timing
#     dependent: this part can pass on a broken kernel, never fail on a good
#     one.
. "$(dirname "$0")/lib.sh"
io=$B/wt_io
[ -d /sys/kernel/mm/transparent_hugepage ] ||
  skip "kernel without CONFIG_TRANSPARENT_HUGEPAGE: no large folios in the page cache"
dev=$(basename "$WT_DISK0")
sw=/sys/block/$dev/queue/stable_writes
echo 1 >"$sw" 2>/dev/null && [ "$(cat $sw)" = 1 ] || skip "cannot set $sw"
# Before mkfs/mount: the super block takes stable writes from the device.
mkxfs "$WT_DISK0" /tmp/xfs
f=/tmp/xfs/lf
MiB=1048576

# Large folios come from a large buffered write (and from readahead).
setup() {
  rm -f $f
  xfs_io -f -c "pwrite -q -b $((2 * MiB)) 0 $((2 * MiB))" -c fsync $f || fail "setup write"
}
setup
for how in "" --uring; do
  for fl in wt wt,dsync; do
    out=$($io write $f 0 $((2 * MiB)) 0x31 --flags $fl $how)
    [ "$out" = "res=$((2 * MiB))" ] || fail "${how:-pwritev2} $fl over cached large folios: $out"
  done
done
drop_caches
$io verify $f 0 $((2 * MiB)) 0x31 >/dev/null || fail "read-back after drop_caches"
# Readahead-created folios, and a write that covers them only in part
# (synchronous fallback for the partly covered one).
cat $f >/dev/null
out=$($io write $f 4096 $((MiB + 100)) 0x32 --flags wt,dsync --uring)
[ "$out" = "res=$((MiB + 100))" ] || fail "partial cover of readahead folios: $out"
$io verify $f 4096 $((MiB + 100)) 0x32 >/dev/null || fail "partial cover read-back"
pass "write-through over large folios on a stable-writes device completes"

for i in $(seq 20); do
  setup
  truncate -s $((MiB + 2048)) $f
  $io write $f 0 $((4 * MiB)) 0x33 --flags wt >/dev/null &
  pid=$!
  sleep 0.0$((RANDOM % 10))
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
done
umount /tmp/xfs || fail "umount after killed write-throughs"
xfs_repair -n "$WT_DISK0" >/dev/null 2>&1 || fail "xfs_repair -n after killed write-throughs"
pass "20 write-throughs killed mid-way: no task stuck, file system clean"
echo "large-folio: all checks passed"
