#!/bin/bash
# Inside the VM, patched kernel: a write-through whose direct I/O fails
# before any bio is issued (here: no memory for the dio) is not an I/O
# error. The data is in the page cache and nothing reached the disk, so the
# write must take the synchronous fallback and succeed, and no error may be
# left in the mapping (a lasting -ENOMEM there would fail every fd's next
# fsync). failslab, limited to this test's task and to allocations made
# under __iomap_dio_rw, fails the dio engine's allocation on demand.
. "$(dirname "$0")/lib.sh"
io=$B/wt_io
dbg=/sys/kernel/debug
mountpoint -q $dbg || mount -t debugfs debugfs $dbg 2>/dev/null
fs=$dbg/failslab
[ -d $fs ] || skip "no failslab in debugfs (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS: debug config only)"
[ -e $fs/require-start ] || skip "no fault-injection stacktrace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)"

# [start, end) of __iomap_dio_rw: its address and the next symbol's
# (/proc/kallsyms lists the kernel's symbols in address order; reading all
# of it takes minutes on the KASAN kernel under TCG, so stop after it).
# No process substitution here: the guest has no /dev/fd.
range=$(grep -m1 -A1 ' __iomap_dio_rw$' /proc/kallsyms | awk '{ printf "%s ", $1 }')
range=${range% }
start=${range% *} end=${range#* }
[ -n "$range" ] || fail "__iomap_dio_rw not in /proc/kallsyms"
[ "$start" != 0000000000000000 ] || fail "/proc/kallsyms hides addresses (kptr_restrict)"
echo N >$fs/ignore-gfp-wait
echo Y >$fs/task-filter
echo 100 >$fs/probability
echo 1 >$fs/interval
echo 0 >$fs/space
echo 0 >$fs/verbose
echo 0x$start >$fs/require-start
echo 0x$end >$fs/require-end

mkxfs "$WT_DISK0" /tmp/xfs
f=/tmp/xfs/nomem
n=0
for kind in overwrite append; do
  for fl in wt wt,dsync; do
    for how in "" --uring; do
      n=$((n + 1))
      byte=$((0x20 + n))
      rm -f $f
      $io write $f 0 65536 0x10 --flags none >/dev/null || fail "setup write"
      $io fsync $f >/dev/null || fail "setup fsync"
      off=0
      [ $kind = append ] && off=65536
      what="$kind $fl ${how:-pwritev2}"
      echo 1000 >$fs/times
      # make-it-fail is per task and survives exec: only wt_io's
      # allocations (and only under __iomap_dio_rw) fail.
      out=$(sh -c "echo 1 >/proc/self/make-it-fail && exec $io write $f $off 65536 $byte --flags $fl $how")
      left=$(cat $fs/times)
      echo 0 >$fs/times
      [ "$left" -lt 1000 ] || fail "$what: no allocation under __iomap_dio_rw failed; the test did not inject"
      [ "$out" = "res=65536" ] || fail "$what: the dio engine had no memory, the write returned $out (expected the synchronous fallback and res=65536)"
      out=$($io fsync $f) || fail "$what: a later fsync on another fd: $out (an error left in the mapping)"
      $io verify $f $off 65536 $byte >/dev/null || fail "$what: cached read-back"
      drop_caches
      $io verify $f $off 65536 $byte >/dev/null || fail "$what: read-back after drop_caches"
      [ $kind = overwrite ] || $io verify $f 0 65536 0x10 >/dev/null || fail "$what: bytes before the append"
      pass "$what: dio allocation failed $((1000 - left))x, write fell back and succeeded, fsync clean, data on disk"
    done
  done
done
echo N >$fs/task-filter
umount /tmp/xfs
echo "dio-enomem: all checks passed"
