#!/bin/bash
# Inside the VM, patched kernel: what RWF_WRITETHROUGH promises, checked on
# real XFS, ext4 and tmpfs, on an NVMe disk, with dm-error for I/O errors.
# Disks: $WT_DISK0 (XFS), $WT_DISK1 (ext4), $WT_DISK2 (XFS under dm).
. "$(dirname "$0")/lib.sh"
io=$B/wt_io

mkxfs "$WT_DISK0" /tmp/xfs
mkext4 "$WT_DISK1" /tmp/ext4

# 1. Accepted on XFS, through pwritev2 and io_uring, with and without DSYNC.
for how in "" --uring; do
  for fl in wt wt,dsync; do
    out=$($io write /tmp/xfs/a 0 12345 0x11 --flags $fl $how) || fail "XFS $fl $how: $out"
    [ "$out" = res=12345 ] || fail "XFS $fl $how: $out"
  done
done
$io verify /tmp/xfs/a 0 12345 0x11 >/dev/null || fail "XFS read-back of write-through data"
pass "RWF_WRITETHROUGH accepted on XFS (pwritev2, io_uring; with and without DSYNC)"

# 2. Refused with EOPNOTSUPP where the filesystem did not opt in.
for fs in /tmp/ext4 /tmp; do
  for how in "" --uring; do
    out=$($io write $fs/b 0 4096 0x22 --flags wt,dsync $how)
    case "$out" in res=-95*) ;; *) fail "$fs $how: expected res=-95 (EOPNOTSUPP), got $out" ;; esac
  done
done
pass "EOPNOTSUPP on ext4 and tmpfs (pwritev2 and io_uring)"

# 3. A synchronous write-through returns after the data is on the device:
#    read the device itself (O_DIRECT, not through the file, so no
#    writeback of the file's cache can help), and check nothing is left
#    dirty. A plain buffered write is the control: the same check must see
#    old data there, or this test could not fail.
$io write /tmp/xfs/c 0 65536 0x00 --flags none >/dev/null && sync
phys=$(phys_offset /tmp/xfs/c)
[ -n "$phys" ] || fail "no extent for /tmp/xfs/c"
$io write /tmp/xfs/c 0 65536 0x5c --flags none >/dev/null
if $io verify "$WT_DISK0" "$phys" 65536 0x5c --direct >/dev/null; then
  fail "control: a buffered write was on the device at once (test cannot tell)"
fi
$io write /tmp/xfs/c 0 65536 0x6d --flags wt >/dev/null || fail "write-through of 64k"
$io verify "$WT_DISK0" "$phys" 65536 0x6d --direct || fail "write-through data not on the device after pwritev2 returned"
drop_caches
$io verify /tmp/xfs/c 0 65536 0x6d --direct || fail "O_DIRECT read-back after drop_caches"
pass "sync write-through data is on the device when pwritev2 returns"

# Unaligned extending write-through: the size must not cover the rest of
# the block, and the tail must read back as zeros.
$io write /tmp/xfs/d 0 100 0x7e --flags wt,dsync >/dev/null || fail "100-byte write"
[ "$(stat -c %s /tmp/xfs/d)" = 100 ] || fail "size after 100-byte write-through is $(stat -c %s /tmp/xfs/d)"
umount /tmp/xfs && mount "$WT_DISK0" /tmp/xfs || fail "remount"
[ "$(stat -c %s /tmp/xfs/d)" = 100 ] || fail "size after remount is $(stat -c %s /tmp/xfs/d)"
$io verify /tmp/xfs/d 0 100 0x7e >/dev/null || fail "100-byte record after remount"
truncate -s 4096 /tmp/xfs/d
$io verify /tmp/xfs/d 100 3996 0 >/dev/null || fail "stale bytes past EOF of a write-through"
pass "unaligned extending write-through: exact size, zero tail, survives remount"

# 4. An I/O error reaches the io_uring completion (and the synchronous
#    caller, and a later fsync). dm-error under the file's blocks only, so
#    XFS metadata stays writable and the error comes from the data I/O.
sz=$(blockdev --getsz "$WT_DISK2")
dmsetup create wte --table "0 $sz linear $WT_DISK2 0" || fail "dmsetup create"
mkxfs /dev/mapper/wte /tmp/dm
$io write /tmp/dm/e 0 65536 0x01 --flags none >/dev/null && sync
p=$(( $(phys_offset /tmp/dm/e) / 512 ))
dmsetup suspend wte
dmsetup load wte --table "0 $p linear $WT_DISK2 0
$p 128 error
$((p + 128)) $((sz - p - 128)) linear $WT_DISK2 $((p + 128))" || fail "dmsetup load"
dmsetup resume wte
out=$($io write /tmp/dm/e 0 4096 0x02 --flags wt,dsync --uring)
case "$out" in res=-5*) ;; *) fail "io_uring write-through onto dm-error: expected res=-5 (EIO), got $out" ;; esac
out=$($io write /tmp/dm/e 8192 4096 0x03 --flags wt)
case "$out" in res=-5*) ;; *) fail "pwritev2 write-through onto dm-error: expected res=-5, got $out" ;; esac
out=$($io fsync /tmp/dm/e)
case "$out" in res=-5*) ;; *) fail "fsync after failed write-through: expected res=-5, got $out" ;; esac
pass "EIO from the device is the io_uring completion result, the pwritev2 result and the next fsync's"
dmsetup suspend wte
dmsetup load wte --table "0 $sz linear $WT_DISK2 0"
dmsetup resume wte
umount /tmp/dm; dmsetup remove wte
umount /tmp/xfs /tmp/ext4
echo "semantics: all checks passed"
