#!/bin/bash
# what: overwrite of 200k keys after a fillseq, sync=0
# durable: no
. "$(dirname "$0")/common.sh"
run_db_bench overwrite --benchmarks=fillseq,overwrite --threads=1 --sync=0 --num=200000
