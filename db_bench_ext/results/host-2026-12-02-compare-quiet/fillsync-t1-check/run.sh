#!/bin/bash
# fillsync 1 thread, default vs auto: syscalls per op (strace -c -f) and wall
set -e
co=${CHECKOUT:-$(cd "$(dirname "$0")/../../../.." && pwd)}  # the checkout
mkdir -p /tmp/fs1 && cd /tmp/fs1
truncate -s 4G img; loop=$(losetup -f --show img); mkfs.xfs -q -f $loop; mkdir -p mnt; mount $loop mnt
trap 'umount /tmp/fs1/mnt; losetup -d '$loop'; rm -f /tmp/fs1/img' EXIT
for m in default auto default auto; do
  rm -rf mnt/db
  $co/db_bench_ext/db_bench_wt --wt_mode=$m --wt_build=$co/build --db=/tmp/fs1/mnt/db --num=3000 --benchmarks=fillsync --threads=1 --histogram=1 2>&1 | grep -E '^fillsync|Percentiles' | head -2 | sed "s/^/$m /"
done
for m in default auto; do
  rm -rf mnt/db
  strace -f -c -o strace-$m.txt $co/db_bench_ext/db_bench_wt --wt_mode=$m --wt_build=$co/build --db=/tmp/fs1/mnt/db --num=3000 --benchmarks=fillsync --threads=1 2>&1 | grep -E '^fillsync' | sed "s/^/strace $m /"
done
