#!/bin/bash
# what: fillrandom --sync=1, 8 threads
# durable: yes
. "$(dirname "$0")/common.sh"
run_db_bench fillrandom --benchmarks=fillrandom --threads=8 --sync=1 --num=10000000
