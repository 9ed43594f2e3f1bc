#!/bin/bash
# CPU per op of db_bench fillrandom sync=0, interleaved: default, auto, auto+defer=0
set -u
W=/work/wt/w13; B=/tmp/w13-bench-a; MNT=/tmp/w13-xfs/mnt
mkdir -p $MNT; truncate -s 8G /tmp/w13-xfs/img
LOOP=$(losetup -f --show /tmp/w13-xfs/img); mkfs.xfs -q -f $LOOP; mount $LOOP $MNT
trap 'umount $MNT; losetup -d $LOOP; rm -f /tmp/w13-xfs/img' EXIT
N=300000
for rep in 1 2 3; do
 for m in default auto-a auto-b; do
  rm -rf $MNT/db
  case $m in default) how=(--wt_mode=default); B=/tmp/w13-bench-a;; auto-a) how=(--wt_mode=auto); B=/tmp/w13-bench-a;; auto-b) how=(--wt_mode=auto); B=/tmp/w13-bench-b;; esac
  out=$( { /usr/bin/time -f "WTCPU %U %S %e" $W/db_bench_ext/db_bench_wt "${how[@]}" --wt_build=$B --db=$MNT/db --benchmarks=fillrandom --sync=0 --num=$N --threads=1 --write_buffer_size=4194304 --histogram=0 ; } 2>&1 )
  ops=$(echo "$out" | grep -E "^fillrandom +:" | awk '{print $5}')
  cpu=$(echo "$out" | grep "^WTCPU" | awk -v n=$N '{printf "user=%.2fs sys=%.2fs wall=%.2fs cpu_us_per_op=%.2f", $2,$3,$4, ($2+$3)*1e6/n}')
  echo "rep=$rep mode=$m ops/s=$ops $cpu"
 done
done
