#!/bin/bash
# VM A/B behind this directory (2026-12-03, an experiment, not a product
# change): cur = a097164's build; hack = the same with
# ../host-2026-12-03-close-nosync/experiment.diff applied and its
# condition made unconditional (hack = defer_ && copy_on_append_), since
# the guest does not see the host's environment. Order hack, cur, cur, hack.
# Summary: ab-summary.md (each row's ratio to default in its repeat).
set -u
out=${1:?output dir}
cur=${2:?build dir of a097164}
hack=${3:?build dir of a097164 + the experiment}
i=0
for which in hack cur cur hack; do
  i=$((i+1))
  if [ $which = cur ]; then b=$cur; else b=$hack; fi
  db_bench_ext/compare --vm-only --build $b --modes default,tuned,writethrough \
    --workloads fillrandom_nosync,overwrite --repeats 2 --seconds 4 \
    --no-devbench --no-plots --out $out/$which-$i
done
