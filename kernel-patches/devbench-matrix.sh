#!/bin/bash
# devbench-matrix.sh BUILD_DIR [COUNT]
#
# Runs inside the VM (kernel-patches/vm-run.sh -- kernel-patches/devbench-matrix.sh build):
# the device-level durable-write comparison of docs/results-kernel.md.
# 4 KiB writes on XFS on the first scratch disk (NVMe: FUA is real), QD1 and
# QD32, append and overwrite, for every wt_devbench mode; one line each.
# A fresh file system per pattern keeps earlier runs from fragmenting it.
set -uo pipefail
export PATH=/usr/sbin:/sbin:$PATH
B=${1:?usage: devbench-matrix.sh BUILD_DIR [COUNT]}
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
