#!/bin/bash
# what: fillrandom --sync=0: memtable flushes and SSTs, the WAL never synced
# durable: no
. "$(dirname "$0")/common.sh"
run_db_bench fillrandom --benchmarks=fillrandom --threads=1 --sync=0 --num=2000000
