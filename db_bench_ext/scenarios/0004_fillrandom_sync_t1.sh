#!/bin/bash
# what: fillrandom --sync=1, 1 thread: WAL sync plus memtable flushes
# durable: yes
. "$(dirname "$0")/common.sh"
run_db_bench fillrandom --benchmarks=fillrandom --threads=1 --sync=1 --num=10000000
