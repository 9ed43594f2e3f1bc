#!/bin/bash
# The experiment behind this directory (2026-12-03, not a product change):
# does making each WAL durable at its Close cost sync=false throughput?
# cur = a097164's build; nosync = the same with experiment.diff applied
# (Close neither asks for nor waits for the deferred tail's durable write
# when WTROCKS_HACK_CLOSE_NOSYNC is set; the VM run of the same question
# compiled it unconditionally). Each a full compare run with its own
# default and tuned rows, the order alternating per repeat.
# Summary: ab-summary.md (each row's ratio to default in its run).
set -u
out=${1:?output dir}
cur=${2:?build dir of a097164}
hack=${3:?build dir of a097164 + experiment.diff}
for rep in 1 2 3; do
  order="nosync sync"; [ $((rep % 2)) = 0 ] && order="sync nosync"
  for which in $order; do
    if [ $which = nosync ]; then
      WTROCKS_HACK_CLOSE_NOSYNC=1 db_bench_ext/compare --build $hack \
        --modes default,tuned,auto --workloads fillrandom_nosync,overwrite \
        --repeats 1 --seconds 10 --no-devbench --no-plots --out $out/$which-$rep
    else
      db_bench_ext/compare --build $cur --modes default,tuned,auto \
        --workloads fillrandom_nosync,overwrite --repeats 1 --seconds 10 \
        --no-devbench --no-plots --out $out/$which-$rep
    fi
  done
done
