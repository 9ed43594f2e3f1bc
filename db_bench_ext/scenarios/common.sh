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
#
# MODE `tuned` is RocksDB's own FileSystem with the options a user would pick
# instead of wtrocks (recycled WALs): db_bench --options_file=
# $WTROCKS_BENCH_TUNED_OPTIONS, which compare generates and shows. When
# compare runs a tuned row it also sets $WTROCKS_BENCH_OPTIONS, the same
# file without the tuning, for every other row, so that the rows differ only
# in what is being compared (the memtable size, for one, decides whether WALs
# roll and so whether recycling happens at all).
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

# check_tuned DB: RocksDB 7.8.3 silently sets recycle_log_file_num to 0
# unless wal_recovery_mode is kSkipAnyCorruptedRecords, so a tuned row only
# counts if the OPTIONS file the run itself wrote still asks for recycling.
# Prints how many WALs RocksDB really reused (its info LOG says so).
check_tuned() {
  local db=$1 opts want got reused
  want=$(sed -n 's/^[[:space:]]*recycle_log_file_num=//p' "$WTROCKS_BENCH_TUNED_OPTIONS")
  opts=$(ls -1 "$db"/OPTIONS-* 2>/dev/null | sort | tail -1)
  [ -n "$opts" ] || { echo "scenario $SCENARIO: FAILED: tuned run wrote no OPTIONS file in $db"; exit 1; }
  got=$(sed -n 's/^[[:space:]]*recycle_log_file_num=//p' "$opts")
  if [ "$got" != "$want" ]; then
    echo "scenario $SCENARIO: FAILED: tuned: RocksDB runs with recycle_log_file_num=${got:-?}, not $want ($opts)"
    exit 1
  fi
  reused=$(grep -c 'reusing log .* from recycle list' "$db/LOG" 2>/dev/null)
  echo "tuned-check: recycle_log_file_num=$got reused_wals=${reused:-0}"
}

# mode_uri MODE+key=value[+key=value...]: the wtrocks URI that MODE names
# (the mode with extra URI items).
mode_uri() {
  echo "wtrocks://mode=${1%%+*},$(echo "${1#*+}" | tr + ,)"
}

# run_db_bench REPORT db_bench-flags...: the stock db_bench through the
# plugin; REPORT is the benchmark whose result line counts.
run_db_bench() {
  local report=$1 out rc wt_mode=$MODE
  shift
  out=$(mktemp)
  local stats=() opts=()
  if [ "$MODE" = tuned ]; then
    [ -r "${WTROCKS_BENCH_TUNED_OPTIONS:-}" ] || {
      echo "scenario $SCENARIO: mode tuned needs the options file compare generates (WTROCKS_BENCH_TUNED_OPTIONS)" >&2
      exit 2
    }
    wt_mode=default opts=(--options_file="$WTROCKS_BENCH_TUNED_OPTIONS")
  elif [ -n "${WTROCKS_BENCH_OPTIONS:-}" ]; then
    opts=(--options_file="$WTROCKS_BENCH_OPTIONS")
  fi
  [ "$wt_mode" = default ] || stats=(--wt_stats)
  # MODE+key=value[+key=value...]: the mode with extra URI items.
  local how=(--wt_mode="$wt_mode")
  case $wt_mode in
  *+*) how=(--wt_uri="$(mode_uri "$wt_mode")") ;;
  esac
  echo "scenario-report: $report"
  "$WT_HERE/db_bench_wt" "${how[@]}" --wt_build="$WT_BUILD" \
    --db="$DB" "${stats[@]}" "${opts[@]}" --duration="$SECONDS_PER_RUN" \
    --histogram=1 "$@" "${EXTRA[@]}" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { rm -f "$out"; echo "scenario $SCENARIO: FAILED: db_bench_wt exit $rc"; exit 1; }
  check_completed "$out" "$report"
  rm -f "$out"
  [ "$MODE" != tuned ] || check_tuned "$DB"
}

# run_fillsync_recycled THREADS: fillsync (sync=true Puts) into recycled
# WALs, by build/fillasync (db_bench_ext/fillasync/): db_bench cannot warm
# up with sync=false and measure with sync=true in one process, and RocksDB
# only recycles WALs that rolled in the same process. fillasync writes
# recycle_wals+2 memtables (4 MiB each) of sync=false data, flushes, fails
# unless the WAL in use is a recycled one, then measures for SECONDS.
#   default  stock RocksDB, default options (fresh WALs: appends)
#   tuned    stock RocksDB, recycle_log_file_num=N (the same warm-up)
#   MODE     wtrocks MODE, recycle_log_file_num=N (the same warm-up)
# N: compare's tuned options file's (WTROCKS_BENCH_TUNED_OPTIONS), else 2.
run_fillsync_recycled() {
  local threads=$1 tool=$WT_BUILD/fillasync out rc fs=wtrocks recycle
  local report=fillsync_wt how=(--mode="$MODE")
  # As many recycled WALs as compare's tuned options ask for (2 alone).
  recycle=$(sed -n 's/^[[:space:]]*recycle_log_file_num=//p' "${WTROCKS_BENCH_TUNED_OPTIONS:-/dev/null}" 2>/dev/null)
  recycle=${recycle:-2}
  if [ ! -x "$tool" ]; then
    echo "scenario $SCENARIO: SKIPPED: $tool not built"
    exit 77
  fi
  case $MODE in
  default) fs=stock recycle=0 report=fillsync ;;
  tuned) fs=stock report=fillsync ;;
  *+*) how=(--fs_uri="$(mode_uri "$MODE")") ;;
  esac
  mkdir -p "$DB"
  out=$(mktemp)
  echo "scenario-report: $report"
  "$tool" --db="$DB" "${how[@]}" --fillasync=false --qd1_count=0 \
    --baseline_fs="$fs" --baseline_threads="$threads" \
    --baseline_seconds="$SECONDS_PER_RUN" --baseline_num=1000000000 \
    --recycle_wals="$recycle" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { rm -f "$out"; echo "scenario $SCENARIO: FAILED: fillasync exit $rc"; exit 1; }
  check_completed "$out" "$report"
  rm -f "$out"
}
