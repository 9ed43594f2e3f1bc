#!/bin/bash
# Inside the VM (kernel-patches/vm-run.sh, the patched kernel): RocksDB's
# own test binaries through wtrocks://mode=writethrough, the one mode the
# host kernel cannot run. Same runner and rule as on the host
# (run-rocksdb-test.sh: a case failing through wtrocks is re-run without
# the plugin and held against wtrocks only if it passes there), on an XFS
# made on the guest's NVMe disk (FUA is real there).
#
#   vm-writethrough.sh BUILD BIN... [db_stress_crash]
#
# Prints each binary's `rocksdb:` line; exits 1 if any failed, 77 if the
# mode is not available (unpatched kernel: the runner's probe says so).
here=$(cd "$(dirname "$0")" && pwd)
# The VM scripts' helpers (mkxfs, fail); it takes BUILD from $1 as $B.
. "$here/../vm/lib.sh"
build=$B
shift
[ $# -gt 0 ] || { echo "usage: vm-writethrough.sh BUILD BIN..."; exit 2; }
mkxfs "$WT_DISK0" /tmp/xfs
echo "WTROCKS_SCRATCH_XFS=/tmp/xfs" >/tmp/scratch.env
export WTROCKS_SCRATCH_ENV=/tmp/scratch.env WTROCKS_BUILD_DIR=$build
export WTROCKS_ROCKSDB_LOGS=/tmp/rocksdb-logs
failed=() skipped=0
for bin in "$@"; do
  if [ "$bin" = db_stress_crash ]; then
    "$here/db-stress-crash.sh" writethrough >/tmp/out 2>&1
  else
    "$here/run-rocksdb-test.sh" "$bin" writethrough >/tmp/out 2>&1
  fi
  rc=$?
  grep '^rocksdb: ' /tmp/out || tail -20 /tmp/out
  case $rc in
  0) ;;
  77) skipped=$((skipped + 1)) ;;
  *) failed+=("$bin"); tail -40 /tmp/out ;;
  esac
done
umount /tmp/xfs
[ ${#failed[@]} = 0 ] || fail "through wtrocks://mode=writethrough: ${failed[*]}"
[ "$skipped" -lt $# ] || skip "writethrough not available in this guest"
echo "rocksdb (VM, writethrough): $# binaries, $skipped skipped, none failed"
