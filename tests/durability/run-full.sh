#!/bin/bash
# run-full.sh BUILD_DIR [--host-only | --vm-only] [--seed S] [--out FILE]
#
# The long durability run (not part of `make test`): every scenario, every
# mode, at the sizes issue 6 asks for:
#   kill      200 SIGKILL points per mode (ldb/sst_dump every 5th point),
#             with sync=true writes and again with async commits (WriteAsync)
#   enospc    sst and wal variants per mode
#   powercut  60 replayed FLUSH/FUA points per mode on a 10 s run (VM),
#             sync=true writes and again with async commits
#   torntail  6 points per mode (auto too), each with all four torn WAL
#             writes, every image in the four wal_recovery_modes (VM;
#             about 10 min per mode under TCG here)
#   ioerr     3 seeds per mode (VM)
#   vmhost    kill (200 points, sync and async) and ENOSPC for writethrough,
#             in the VM (the host kernel lacks the flag)
# Needs BUILD_DIR built (dur_workload, wt_logwrites) and, for the VM part,
# BUILD_DIR/kernel/patched/bzImage (kernel-patches/build-kernel.sh --out
# BUILD_DIR/kernel/patched). Makes its own loop-device scratch filesystems
# unless WTROCKS_SCRATCH_ENV names existing ones. Every summary line goes to
# BUILD_DIR/durability-full.txt (or --out FILE, so a host-only and a
# VM-only run can go side by side); exit 1 if any scenario failed. Skipped
# scenarios (mode unsupported here) are listed as SKIPPED, never as passed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
B=$(cd "${1:?usage: $0 BUILD_DIR [--host-only|--vm-only] [--seed S]}" && pwd)
shift
host=1 vm=1 seed=${WTROCKS_DUR_SEED:-$(( $(date +%s) % 100000 ))} out=$B/durability-full.txt
while [ $# -gt 0 ]; do
  case "$1" in
  --host-only) vm=0 ;;
  --vm-only) host=0 ;;
  --seed) seed=$2; shift ;;
  --out) out=$2; shift ;;
  *) echo "run-full.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# No direct: the engine refuses it for RocksDB files (docs/design.md).
modes="default fsync dsync writethrough"
: >"$out"
failed=0
log() { echo "$*" | tee -a "$out"; }

# One scenario: its summary line(s) into $out, its whole output next to it
# (${out%.txt}-NAME.log), SKIPPED/FAILED noted.
scenario() {
  local name=$1; shift
  local full=${out%.txt}-$name.log rc
  "$@" >"$full" 2>&1
  rc=$?
  grep -E '^(durability|powercut):' "$full" >>"$out"
  grep -E '^(durability|powercut):' "$full"
  if [ $rc -eq 77 ]; then
    log "SKIPPED: $name: $(grep -m1 -i 'skipped' "$full")"
  elif [ $rc -ne 0 ]; then
    log "FAILED: $name (exit $rc); output: $full"
    failed=$((failed + 1))
  fi
}

log "# run-full.sh $(date -u +%FT%TZ) seed=$seed host=$(uname -r) nproc=$(nproc)"
if [ $host = 1 ]; then
  own_scratch=""
  if [ -z "${WTROCKS_SCRATCH_ENV:-}" ]; then
    own_scratch=$B/scratch-durfull
    "$repo/tests/lib/scratch-fs.sh" setup "$own_scratch" >/dev/null
    export WTROCKS_SCRATCH_ENV=$own_scratch/env
  fi
  for m in $modes; do
    scenario "kill-$m" python3 "$here/crash_kill.py" --workload="$B/dur_workload" \
      --mode="$m" --points=200 --tools-every=5 --seed="$seed"
    [ "$m" = default ] ||
      scenario "kill-async-$m" python3 "$here/crash_kill.py" --workload="$B/dur_workload" \
        --mode="$m" --points=200 --tools-every=5 --seed="$seed" --async
  done
  for m in $modes; do
    for v in sst wal; do
      scenario "enospc-$v-$m" python3 "$here/enospc.py" --workload="$B/dur_workload" \
        --mode="$m" --variant="$v" --seed="$seed"
    done
  done
  [ -n "$own_scratch" ] && "$repo/tests/lib/scratch-fs.sh" cleanup "$own_scratch"
fi
if [ $vm = 1 ]; then
  for m in $modes; do
    scenario "powercut-$m" "$here/vm-scenario.sh" "$B" powercut "$m" \
      --points 60 --seconds 10 --seed "$seed" --timeout 3600
    [ "$m" = default ] ||
      scenario "powercut-async-$m" "$here/vm-scenario.sh" "$B" powercut "$m" \
        --points 60 --seconds 10 --seed "$seed" --timeout 3600 --async
  done
  for m in default auto fsync dsync writethrough; do
    scenario "torntail-$m" "$here/vm-scenario.sh" "$B" powercut "$m" \
      --points 6 --seconds 5 --seed "$seed" --timeout 3600 --torntail-all
  done
  scenario vmhost-writethrough "$here/vm-scenario.sh" "$B" host writethrough \
    --points 200 --seed "$seed" --timeout 5400
  scenario powercut-control "$here/vm-scenario.sh" "$B" powercut default \
    --points 20 --seconds 5 --seed "$seed" --control
  for s in 1 2 3; do
    scenario "ioerr-$s" "$here/vm-scenario.sh" "$B" ioerr "${modes// /,}" --seed $((seed + s))
  done
fi
log "# failed=$failed"
[ $failed -eq 0 ]
