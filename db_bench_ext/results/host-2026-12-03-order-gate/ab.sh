#!/bin/bash
# The A/B behind this directory (2026-12-03): the order gate before the
# first Append (old = 399df3f's build) against the gate on durable writes
# (new = afa43f2's build), each a full compare run with its own default and
# tuned rows, alternating the order per repeat. Summary: ab-summary.md
# (python over the runs.csv files: each row's ratio to default in its run).
set -u
out=${1:?output dir}
old=${2:?build dir of 399df3f}
new=${3:?build dir of afa43f2}
for rep in 1 2 3; do
  order="new old"; [ $((rep % 2)) = 0 ] && order="old new"
  for which in $order; do
    if [ $which = new ]; then b=$new; else b=$old; fi
    db_bench_ext/compare --build $b --modes default,tuned,auto \
      --workloads fillrandom_nosync,overwrite,readwhilewriting --repeats 1 \
      --seconds 10 --no-devbench --no-plots --out $out/$which-$rep
  done
done
