#!/bin/bash
# devbench-matrix.sh BUILD_DIR [COUNT]
# devbench-matrix.sh --kernels "BZIMAGE..." BUILD_DIR [COUNT]     (on the host)
#
# The device-level durable-write comparison of docs/results-kernel.md.
# In the VM (kernel-patches/vm-run.sh -- kernel-patches/devbench-matrix.sh build):
# 4 KiB writes on XFS on the first scratch disk (NVMe: FUA is real), QD1 and
# QD32, append and overwrite, for every wt_devbench mode; one line each.
# A fresh file system per pattern keeps earlier runs from fragmenting it.
# With --kernels, on the host: boots each kernel in turn (a path containing
# "-debug" gets the debug guest's two NUMA nodes) and runs the matrix in
# it, each line prefixed with "kernel=<dir name>", so both configs are
# measured in the same run on the same machine state.
set -uo pipefail
export PATH=/usr/sbin:/sbin:$PATH
if [ "${1:-}" = --kernels ]; then
  kernels=${2:?--kernels needs a list of bzImage paths}
  shift 2
  here=$(cd "$(dirname "$0")" && pwd)
  rc=0
  for k in $kernels; do
    name=$(basename "$(dirname "$k")")
    numa=()
    case "$name" in *-debug) numa=(--numa 2) ;; esac
    echo "== $name ($k), $(uptime)"
    "$here/vm-run.sh" --kernel "$k" "${numa[@]}" --disk 2G --timeout 3600 -- \
      "$here/devbench-matrix.sh" "$@" | sed "s/^/kernel=$name /" || rc=1
  done
  exit $rc
fi
B=${1:?usage: devbench-matrix.sh [--kernels "BZIMAGE..."] BUILD_DIR [COUNT]}
count=${2:-2000}
mkdir -p /tmp/bench
for pattern in overwrite append; do
  mkfs.xfs -q -f "$WT_DISK0" && mount "$WT_DISK0" /tmp/bench || exit 1
  for qd in 1 32; do
    for mode in writethrough dsync direct fsync; do
      "$B/wt_devbench" --file /tmp/bench/f --mode $mode --pattern $pattern \
        --bs 4096 --qd $qd --count "$count"
      rm -f /tmp/bench/f
    done
  done
  umount /tmp/bench
done
