#!/bin/bash
# what: fillsync, 4 threads: RocksDB's write group batches the syncs
# durable: yes
. "$(dirname "$0")/common.sh"
run_db_bench fillsync --benchmarks=fillsync --threads=4 --num=1000000000
