#!/bin/bash
# Issue 13, sync=0 on the host: where the gap to stock goes (2026-12-01).
# Builds: A = main 5ce263d (build/ copied to /tmp/lead-libA); H and F = the
# same tree with experiment-nogate-fsyncrange.patch applied (copied to
# /tmp/lead-libH and /tmp/lead-libF): WTROCKS_HACK_NOGATE=1 skips the WAL
# order gate (unsafe: a power cut after a WAL switch may then recover a newer
# record without an older one), WTROCKS_HACK_FSYNCRANGE=1 makes dsync's
# durable write an IORING_OP_FSYNC(DATASYNC) of the range instead of
# rewriting it (correct only because WAL bytes are already in the page cache).
# Neither experiment is in the product. Usage: run.sh MNT NUM MEMTABLE_BYTES
set -u
MNT=$1 NUM=$2 WB=$3
cd "$(dirname "$0")/../../.."
for rep in 1 2 3; do for m in default A H F; do
  rm -rf $MNT/db; sync
  case $m in
  default) a=(--wt_mode=default --wt_build=/tmp/lead-libA); e=() ;;
  A) a=(--wt_mode=auto --wt_build=/tmp/lead-libA --wt_stats); e=() ;;
  H) a=(--wt_mode=auto --wt_build=/tmp/lead-libH --wt_stats); e=(WTROCKS_HACK_NOGATE=1) ;;
  F) a=(--wt_mode=auto --wt_build=/tmp/lead-libF --wt_stats); e=(WTROCKS_HACK_FSYNCRANGE=1) ;;
  esac
  out=$(env "${e[@]}" db_bench_ext/db_bench_wt "${a[@]}" --db=$MNT/db --benchmarks=fillrandom \
        --sync=0 --num=$NUM --threads=1 --write_buffer_size=$WB --histogram=1 2>&1)
  echo "$rep $m $(echo "$out" | grep -E '^fillrandom' | awk '{print $5}')" \
       "p99=$(echo "$out" | grep -m1 'P99:' | sed 's/.*P99: \([0-9.]*\).*P99.9: \([0-9.]*\).*/\1 p99.9=\2/')" \
       "$(echo "$out" | grep -o 'wal_order_waits=[0-9]*' | head -1)" \
       "$(echo "$out" | grep -o 'wal_durable_ios=[0-9]*' | head -1)"
done; done
