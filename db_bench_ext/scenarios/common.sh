# common.sh: sourced by every scenario script in this directory.
#
#   scenarios/NNNN_name.sh MODE DB_DIR SECONDS [extra db_bench flags...]
#
# A scenario is one db_bench workload; it runs through db_bench_wt with
# --wt_mode=MODE on a fresh database in DB_DIR for SECONDS (db_bench
# --duration), prints db_bench's output, and checks that the benchmark it
# is about really completed (its result line is there): a run that died
# half way must not look like a slow one. compare runs them all, times them
# and collects their output; each also runs on its own.
#
# Header lines compare reads (keep them in the first 10 lines):
#   # durable: yes|no   every write waits for the device (sync per write)
#   # what: ...         one line for tables and --help
# Exit status: 0 ok, 1 the workload did not complete, 2 usage, 77 the
# scenario cannot run here (a tool it needs is not built).
set -uo pipefail

SCENARIO=$(basename "$0" .sh)
SCENARIO=${SCENARIO#[0-9][0-9][0-9][0-9]_}
WT_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WT_BUILD=${WTROCKS_BUILD_DIR:-$(dirname "$WT_HERE")/build}

if [ $# -lt 3 ]; then
  echo "usage: $0 MODE DB_DIR SECONDS [extra db_bench flags...]" >&2
  exit 2
fi
MODE=$1 DB=$2 SECONDS_PER_RUN=$3
shift 3
EXTRA=("$@")

# check_completed OUTPUT_FILE REPORT: the result line of REPORT is there.
check_completed() {
  if ! grep -qE "^$2 +: .* ops/sec" "$1"; then
    echo "scenario $SCENARIO: FAILED: no '$2' result line (mode $MODE)"
    exit 1
  fi
}

# run_db_bench REPORT db_bench-flags...: the stock db_bench through the
# plugin; REPORT is the benchmark whose result line counts.
run_db_bench() {
  local report=$1 out rc
  shift
  out=$(mktemp)
  local stats=()
  [ "$MODE" = default ] || stats=(--wt_stats)
  echo "scenario-report: $report"
  "$WT_HERE/db_bench_wt" --wt_mode="$MODE" --wt_build="$WT_BUILD" \
    --db="$DB" "${stats[@]}" --duration="$SECONDS_PER_RUN" --histogram=1 \
    "$@" "${EXTRA[@]}" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { rm -f "$out"; echo "scenario $SCENARIO: FAILED: db_bench_wt exit $rc"; exit 1; }
  check_completed "$out" "$report"
  rm -f "$out"
}
