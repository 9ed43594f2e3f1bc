#!/bin/bash
# Inside the VM: several VM tests in one boot, one after another.
#
#   batch.sh BUILD LIST
#
# LIST (written by tests/vm/CMakeLists.txt) has one test per line:
# NAME<TAB>SCRIPT<TAB>ARG..., each a test that also runs alone in its own
# VM on the tiny config. The debug kernel (lockdep, KASAN, DEBUG_VM under
# TCG) takes 25-40 s to boot, as long as many of the tests themselves, so
# the debug duplicates share boots (docs/results-kernel.md has the times).
#
# Between tests the guest is put back as a fresh boot leaves it: every
# mount under /tmp undone, device-mapper and loop devices removed, /tmp
# emptied of what the test left. Each test's name goes to the kernel log before it starts, so a
# lockdep or KASAN report on the console (which fails the whole VM run,
# vm-run.sh) is preceded by the test that caused it. A test that fails
# does not stop the others. Prints "vm-batch: NAME result=ok|FAIL|SKIPPED
# seconds=N" per test; exits 1 if any failed, 77 if all were skipped.
. "$(dirname "$0")/lib.sh"
list=${2:?usage: batch.sh BUILD LIST}
[ -r "$list" ] || fail "no batch list $list"

# What the boot set up (vm-init.sh: the control share, the results share,
# host paths under /tmp bound back) stays; everything a test added goes.
awk '{ print $2 }' /proc/mounts | sort >/run/batch-mounts0
ls -A /tmp | sort >/run/batch-tmp0
reset_guest() {
  cd /
  awk '$2 ~ "^/tmp/." { print $2 }' /proc/mounts | sort -r | while read -r m; do
    grep -qxF "$m" /run/batch-mounts0 || umount "$m" 2>/dev/null || umount -l "$m"
  done
  dmsetup remove_all 2>/dev/null
  losetup -D 2>/dev/null
  ls -A /tmp | sort | comm -13 /run/batch-tmp0 - | while read -r e; do rm -rf "/tmp/$e"; done
}

# The boot's share of a batch's time (the debug kernel's boot is most of
# a short batch's): the guest's uptime when the first test starts.
echo "vm-batch: guest up $(cut -d' ' -f1 /proc/uptime) s before the first test"
failed=() ran=0 skipped=0
while IFS=$'\t' read -r -a item; do
  [ ${#item[@]} -ge 2 ] || continue
  name=${item[0]}
  echo "vm-batch: begin $name" >/dev/kmsg
  t0=$(date +%s)
  "${item[@]:1}" >/tmp/batch-item.log 2>&1
  rc=$?
  secs=$(($(date +%s) - t0))
  sed "s/^/[$name] /" /tmp/batch-item.log
  case $rc in
  0) result=ok ;;
  77) result=SKIPPED; skipped=$((skipped + 1)) ;;
  *) result=FAIL; failed+=("$name") ;;
  esac
  ran=$((ran + 1))
  echo "vm-batch: $name result=$result seconds=$secs"
  echo "vm-batch: end $name ($result)" >/dev/kmsg
  reset_guest
done <"$list"

echo "vm-batch: guest up $(cut -d' ' -f1 /proc/uptime) s after the last test"
[ $ran -gt 0 ] || fail "batch list $list names no test"
[ ${#failed[@]} = 0 ] || fail "${#failed[@]} of $ran failed: ${failed[*]}"
[ $skipped -lt $ran ] || skip "all $ran tests skipped"
echo "vm-batch: all $ran passed ($skipped skipped)"
