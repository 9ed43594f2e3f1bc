#!/bin/bash
# vm-scenario.sh BUILD_DIR powercut|ioerr MODE [--points N] [--seconds S]
#                (MODE rotate:A,B: one of them per UTC day, see below)
#                [--seed S] [--kernel BZIMAGE] [--timeout S]
#                [--control | --async | --server | --server-control |
#                 --torntail | --torntail-all | --recycled | --server-recycled]
#
# Host side of the VM scenarios: boots our kernel with
# kernel-patches/vm-run.sh and runs the scenario's guest script in it
#   powercut  powercut-guest.sh: two NVMe disks, data and dm-log-writes log
#             (--torntail: torn WAL writes x the four wal_recovery_modes)
#   ioerr     ioerr-guest.sh: one NVMe disk under dm-linear/dm-flakey
#             (MODE may be a comma-separated list: one boot for all)
#   host      hostscen-guest.sh: crash_kill.py (--points) and enospc.py on
#             our kernel, for writethrough, which the host kernel lacks
# (see those scripts and README.md). Prints the guest's summary line
#   durability: scenario=S mode=M points=N acked_checked=N lost=0 corrupted=0 ...
# Exit 0 pass, 1 fail (with the replay command), 77 skipped: no kernel
# image, no QEMU, or MODE unsupported on that kernel.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
B=$(cd "${1:?usage: $0 BUILD_DIR SCENARIO MODE [options]}" && pwd)
scenario=${2:?scenario} mode=${3:?mode}
shift 3
points=4 secs=3 seed=${WTROCKS_DUR_SEED:-$(( $(date +%s) % 100000 ))}
kernel=$B/kernel/patched/bzImage timeout=900 control=""
while [ $# -gt 0 ]; do
  case "$1" in
  --points) points=$2; shift ;;
  --seconds) secs=$2; shift ;;
  --seed) seed=$2; shift ;;
  --kernel) kernel=$2; shift ;;
  --timeout) timeout=$2; shift ;;
  --control) control=control ;;  # powercut negative control (sync=false)
  --async) control=async ;;      # powercut with async durable commits
  --server) control=server ;;    # powercut under `wtkv serve` (Unix socket)
  --server-control) control=server-control ;;  # ... replying before durable
  --torntail) control=torntail ;;  # torn WAL write x every wal_recovery_mode
  --torntail-all) control=torntail-all ;;  # ... all four tears per point
  --recycled) control=recycled ;;  # powercut with RocksDB's recycled WALs
  --server-recycled) control=server-recycled ;;  # ... under `wtkv serve`
  *) echo "vm-scenario.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# MODE rotate:A,B,...: one of the modes per UTC day (days since 1970 mod
# their count), so that make test covers each every few days for the time
# of one; WTROCKS_DUR_ROTATE=M runs M instead.
case $mode in
rotate:*)
  IFS=, read -ra rmodes <<<"${mode#rotate:}"
  day=$(( $(date -u +%s) / 86400 ))
  mode=${WTROCKS_DUR_ROTATE:-${rmodes[day % ${#rmodes[@]}]}}
  echo "rotation: UTC day $day runs mode $mode of ${rmodes[*]} (WTROCKS_DUR_ROTATE=MODE picks one)"
  ;;
esac
skip() { echo "[  SKIPPED ] $*"; exit 77; }
[ -r "$kernel" ] || skip "no kernel image at $kernel (kernel-patches/build-kernel.sh builds it; the kernel_build_patched ctest fixture runs it)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
tools="dur_workload wt_logwrites"
case $control in server*) tools="$tools wtkv" ;; esac
for t in $tools; do
  [ -x "$B/$t" ] || { echo "FAIL: $B/$t missing (build it)"; exit 1; }
done

case $scenario in
powercut)
  # 512M data disk (XFS needs 300M), 2G log: the log holds every write.
  # --cache unsafe: the power cut is the log replay, not QEMU's cache; the
  # guest's FLUSH/FUA flags are logged all the same, and host flushes of
  # the images only cost time.
  "$repo/kernel-patches/vm-run.sh" --kernel "$kernel" --disk 512M --disk 2G --cache unsafe \
    --mem 2G --timeout "$timeout" -- \
    "$here/powercut-guest.sh" "$B" "$mode" "$points" "$secs" "$seed" $control ;;
ioerr)
  "$repo/kernel-patches/vm-run.sh" --kernel "$kernel" --disk 512M --cache unsafe \
    --mem 1G --timeout "$timeout" -- "$here/ioerr-guest.sh" "$B" "$mode" "$seed" ;;
host)
  "$repo/kernel-patches/vm-run.sh" --kernel "$kernel" --disk 1G --cache unsafe \
    --mem 2G --timeout "$timeout" -- "$here/hostscen-guest.sh" "$B" "$mode" "$points" "$seed" ;;
*) echo "vm-scenario.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
  echo "FAILED: $scenario, mode=$mode seed=$seed (vm-run status $rc)"
  echo "replay: $0 $B $scenario $mode --points $points --seconds $secs --seed $seed --kernel $kernel${control:+ --$control}"
  echo "  (seeded workload; QEMU's timing is not, so a replay retries the same parameters)"
  [ "$rc" -eq 1 ] || rc=1
fi
exit "$rc"
