#!/bin/bash
# Inside the VM (debug config): XFS files really get large folios, so the
# write-through tests on this kernel exercise the large-folio paths. A 2 MiB
# aligned 8 MiB buffered write must leave PMD-sized folios in the page
# cache (/proc/meminfo FileHugePages). Write-through writes into those
# folios, partial and whole, aligned and not, must read back right. Then
# the same after a cold read: readahead builds large folios too, but it
# ramps their order up from the first window and the device's
# read_ahead_kb caps it, so an 8 MiB read may make none of PMD size (that
# is reported, not asserted); the writes go into whatever it made. Finally
# everything must read back after a remount.
. "$(dirname "$0")/lib.sh"
mkxfs "$WT_DISK0" /tmp/xfs
thp() { awk '/^FileHugePages:/ { print $2 }' /proc/meminfo; }
[ -e /sys/kernel/mm/transparent_hugepage ] || skip "no THP in this kernel ($WT_KCONFIG config): no large folios"
before=$(thp)
xfs_io -f -c "pwrite -q -b 4m 0 8m" /tmp/xfs/big || fail "buffered write"
after_write=$(thp)
echo "folios: FileHugePages ${before} kB before, ${after_write} kB after an 8 MiB buffered write"
[ "$after_write" -gt "$before" ] || fail "no PMD-sized folio in XFS's page cache after an 8 MiB write: large folios are off"

# $1: the byte base. A part of one folio, across two, an unaligned one, and
# one whole 2 MiB folio; the second round uses the other half of the file.
writes() {
  local o=$2
  "$B/wt_io" write /tmp/xfs/big $((o + 4096)) 8192 $1 --flags wt,dsync || fail "wt write inside a large folio ($3)"
  "$B/wt_io" write /tmp/xfs/big $((o + 2093056)) 8192 $(($1 + 1)) --flags wt,dsync --uring || fail "wt write across two large folios ($3)"
  "$B/wt_io" write /tmp/xfs/big $((o + 3000001)) 5000 $(($1 + 2)) --flags wt --uring || fail "unaligned wt write ($3)"
  "$B/wt_io" write /tmp/xfs/big $((o + 2097152)) 2097152 $(($1 + 3)) --flags wt,dsync || fail "wt write of a whole large folio ($3)"
}
check() {
  local o=$2
  "$B/wt_io" verify /tmp/xfs/big $((o + 4096)) 8192 $1 &&
  "$B/wt_io" verify /tmp/xfs/big $((o + 2093056)) 4096 $(($1 + 1)) &&
  "$B/wt_io" verify /tmp/xfs/big $((o + 2097152)) 2097152 $(($1 + 3)) >/dev/null ||
    fail "write-through data in large folios reads back wrong ($3)"
}
# The unaligned write lands inside the whole-folio one, which comes last;
# check what each round's last writes left.
writes 11 0 "after write"
check 11 0 "after write, cache"
drop_caches
xfs_io -c "pread -q -b 4m 0 8m" /tmp/xfs/big || fail "read"
after_read=$(thp)
echo "folios: ${after_read} kB PMD-mapped after a cold 8 MiB read (read_ahead_kb $(cat /sys/block/$(basename "$WT_DISK0")/queue/read_ahead_kb 2>/dev/null || echo '?'))"
writes 21 4194304 "after a cold read"
check 21 4194304 "after a cold read, cache"
umount /tmp/xfs && mount "$WT_DISK0" /tmp/xfs || fail remount
check 11 0 "after remount"
check 21 4194304 "after remount"
umount /tmp/xfs
pass "large folios in XFS's page cache (${after_write} kB PMD-mapped after write, ${after_read} kB after a cold read); write-through into both verified"
