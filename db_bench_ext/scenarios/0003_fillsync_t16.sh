#!/bin/bash
# what: fillsync, 16 threads
# durable: yes
. "$(dirname "$0")/common.sh"
run_db_bench fillsync --benchmarks=fillsync --threads=16 --num=1000000000
