#!/bin/bash
# what: fillsync, 1 thread: WAL only, sync per write
# durable: yes
. "$(dirname "$0")/common.sh"
# --num is divided by 1000 by fillsync; --duration ends the run.
run_db_bench fillsync --benchmarks=fillsync --threads=1 --num=1000000000
