#!/bin/bash
# Inside the VM (debug config): XFS files really get large folios, so the
# write-through tests on this kernel exercise the large-folio paths. A 2 MiB
# aligned 8 MiB buffered write must leave PMD-sized folios in the page
# cache (/proc/meminfo FileHugePages), and so must a cold read of it
# (readahead). Then write-through writes into those large folios, partial
# and whole, aligned and not, must read back right, from the cache and
# after a remount.
. "$(dirname "$0")/lib.sh"
mkxfs "$WT_DISK0" /tmp/xfs
thp() { awk '/^FileHugePages:/ { print $2 }' /proc/meminfo; }
[ -e /sys/kernel/mm/transparent_hugepage ] || skip "no THP in this kernel ($WT_KCONFIG config): no large folios"
before=$(thp)
xfs_io -f -c "pwrite -q -b 4m 0 8m" /tmp/xfs/big || fail "buffered write"
after_write=$(thp)
echo "folios: FileHugePages ${before} kB before, ${after_write} kB after an 8 MiB buffered write"
[ "$after_write" -gt "$before" ] || fail "no PMD-sized folio in XFS's page cache after an 8 MiB write: large folios are off"
drop_caches
xfs_io -c "pread -q -b 4m 0 8m" /tmp/xfs/big || fail "read"
after_read=$(thp)
echo "folios: ${after_read} kB after a cold 8 MiB read"
[ "$after_read" -gt 0 ] || fail "readahead made no PMD-sized folio"
# Write-through into the large folios that are in the cache now: a part of
# one (sub-folio), across two, an unaligned one, and one whole 2 MiB folio.
"$B/wt_io" write /tmp/xfs/big 4096 8192 11 --flags wt,dsync || fail "wt write inside a large folio"
"$B/wt_io" write /tmp/xfs/big 2093056 8192 12 --flags wt,dsync --uring || fail "wt write across two large folios"
"$B/wt_io" write /tmp/xfs/big 3000001 5000 13 --flags wt --uring || fail "unaligned wt write"
"$B/wt_io" write /tmp/xfs/big 4194304 2097152 14 --flags wt,dsync || fail "wt write of a whole large folio"
check() {
  "$B/wt_io" verify /tmp/xfs/big 4096 8192 11 &&
  "$B/wt_io" verify /tmp/xfs/big 2093056 8192 12 &&
  "$B/wt_io" verify /tmp/xfs/big 3000001 5000 13 &&
  "$B/wt_io" verify /tmp/xfs/big 4194304 2097152 14
}
check || fail "write-through data in large folios reads back wrong (cache)"
umount /tmp/xfs && mount "$WT_DISK0" /tmp/xfs || fail remount
check || fail "write-through data in large folios reads back wrong (after remount)"
umount /tmp/xfs
pass "large folios in XFS's page cache (${after_write} kB PMD-mapped after write, ${after_read} kB after read); write-through into them verified"
