#!/bin/bash
# what: 1 reader + 1 writer after a fillseq of 200k keys, sync=0
# durable: no
. "$(dirname "$0")/common.sh"
run_db_bench readwhilewriting --benchmarks=fillseq,readwhilewriting --threads=1 --sync=0 --num=200000
