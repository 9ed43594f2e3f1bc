#!/bin/bash
# On the host (ctest vm_debug_rotation): today's slice of the VM tests'
# debug duplicates, on the debug kernels.
#
#   rotation.sh BUILD ROTDIR KERNELDIR
#
# ROTDIR is written by tests/vm/CMakeLists.txt from debug-rotation.txt:
# ROTDIR/index has "SLICE KERNEL LIST" per slice and kernel, LIST is a
# batch.sh list. Day D (UTC days since 1970) runs slice D mod N, so every
# member runs on the debug kernel once every N days.
# WTROCKS_VM_DEBUG_SHARD=K/N replays slice K (N must be today's count),
# =all runs every member. Each kernel the selection needs boots once
# (KERNELDIR/{patched,unpatched}-debug/bzImage) and runs its members one
# after another (batch.sh). The test fails if a member fails or a console
# shows a kernel report (vm-run.sh), and is skipped only if every member
# was.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kp=$(cd "$here/../../kernel-patches" && pwd)
usage="usage: rotation.sh BUILD ROTDIR KERNELDIR"
B=${1:?$usage} rot=${2:?$usage} kdir=${3:?$usage}
die() { echo "FAIL: vm-debug-rotation: $*"; exit 1; }
index=$rot/index
[ -r "$index" ] || die "no rotation index $index: configure the build again"
n=$(awk '$1 + 1 > n { n = $1 + 1 } END { print n + 0 }' "$index")
[ "$n" -gt 0 ] || die "$index lists no slice"

day=$(($(date -u +%s) / 86400))
sel=${WTROCKS_VM_DEBUG_SHARD:-}
case "$sel" in
"") k=$((day % n)) ;;
all) k=all ;;
*/*) k=${sel%/*}
     [ "${sel#*/}" = "$n" ] ||
       die "WTROCKS_VM_DEBUG_SHARD=$sel: the rotation has $n slices now (debug-rotation.txt changed)"
     if ! [[ $k =~ ^[0-9]+$ ]] || [ "$k" -ge "$n" ]; then
       die "WTROCKS_VM_DEBUG_SHARD=$sel: no slice $k of $n"
     fi ;;
*) die "WTROCKS_VM_DEBUG_SHARD='$sel': give K/N (0 <= K < $n) or all" ;;
esac

if [ "$k" = all ]; then
  what="slice=all (every member, $n slices)"
else
  what="slice=$k/$n (day $day; replay: WTROCKS_VM_DEBUG_SHARD=$k/$n, every member: =all)"
fi
echo "vm-debug-rotation: $what"
rc_all=0 ran=0 skipped=0 names=()
for v in patched unpatched; do
  lists=$(awk -v k="$k" -v v="$v" '$2 == v && (k == "all" || $1 == k) { print $3 }' "$index")
  [ -n "$lists" ] || continue
  list=$rot/run-$v.list
  # shellcheck disable=SC2086 # one path per word
  cat $lists >"$list" || die "reading $lists"
  mapfile -t m < <(cut -f1 "$list")
  names+=("${m[@]}")
  # A member takes 0.5-3 min here on an idle machine; 500 s each leaves
  # room for a loaded one, and a hung task panics the guest long before.
  t=$((300 + 500 * ${#m[@]}))
  echo "vm-debug-rotation: $v-debug kernel, ${#m[@]} members: ${m[*]}"
  t0=$(date +%s)
  flag=()
  [ "$v" = unpatched ] && flag=(--unpatched)
  "$kp/vm-run.sh" "${flag[@]}" --kernel "$kdir/$v-debug/bzImage" --disk 1G --disk 1G --disk 1G \
    --mem 2G --numa 2 --timeout "$t" -- "$here/batch.sh" "$B" "$list"
  rc=$?
  echo "vm-debug-rotation: $v-debug kernel rc=$rc seconds=$(($(date +%s) - t0))"
  ran=$((ran + 1))
  case $rc in
  0) ;;
  77) skipped=$((skipped + 1)) ;;
  *) [ "$rc_all" != 0 ] || rc_all=$rc ;;
  esac
done
[ $ran -gt 0 ] || die "slice $k of $n names no member"

# One summary line (scripts/lib/ctest-totals.sh prints it after make test).
result=passed
[ "$rc_all" = 0 ] || result=FAILED
[ "$rc_all" != 0 ] || [ $skipped -lt $ran ] || result=SKIPPED
members=${names[*]}
shard=$k/$n
[ "$k" != all ] || shard=all
echo "vm-debug-rotation: slice=$shard result=$result members=${members// /,}"
case $result in
FAILED) echo "FAIL: vm-debug-rotation: $what: a member or a kernel report failed it (rc=$rc_all; vm-batch lines above)"; exit 1 ;;
SKIPPED) echo "[  SKIPPED ] vm-debug-rotation: every member of $what was skipped"; exit 77 ;;
esac
echo "ok: vm-debug-rotation: $what passed"
