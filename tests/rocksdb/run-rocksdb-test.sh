#!/bin/bash
# run-rocksdb-test.sh BIN MODE
#
# Runs one of RocksDB's own test binaries (built from Debian's source package
# by scripts/build-rocksdb-tests.sh) on the scratch XFS, either through
# wtrocks (MODE = auto|fsync|dsync|direct|writethrough: LD_PRELOAD of
# libwtrocks.so and TEST_FS_URI=wtrocks://mode=MODE, which DBTestBase and
# the other fixtures read through test::CreateEnvFromSystem) or without the
# plugin (MODE = default: the reference).
#
# The rule it checks: every case that passes with the default FileSystem
# passes through wtrocks. A case that fails through wtrocks is re-run alone
# without the plugin; if it fails there too it is not held against wtrocks
# (reported as "also fails without the plugin"). Cases listed in
# known-failures.txt for this binary and mode are run and reported, but do
# not fail the test; one that passes is reported as XPASS so the list gets
# pruned. Cases RocksDB's tests cannot run here are cut by filters.txt,
# each with its reason.
#
# Parameter sweeps listed in sweeps.txt run whole only with
# WTROCKS_ROCKSDB_SWEEPS=full; otherwise (the default set in make test)
# one gtest shard of each sweep runs, chosen by date and mode (sweeps.txt
# says how), after a first pass over everything else. WTROCKS_ROCKSDB_SHARD
# = I/N replays shard I of N, = all runs the whole sweep.
#
# Environment: WTROCKS_SCRATCH_ENV (the scratch fixture's env file),
# WTROCKS_BUILD_DIR, WTROCKS_ROCKSDB_LOGS (where logs go; default
# BUILD/rocksdb-tests/logs, read-only in the VM). Exit 0 pass, 1 fail, 77 skipped (with the reason).
# Last line: `rocksdb: bin=... mode=... passed=... failed=... ...`.
set -uo pipefail
bin=${1:?binary} mode=${2:?mode}
here=$(cd "$(dirname "$0")" && pwd)
build=${WTROCKS_BUILD_DIR:?WTROCKS_BUILD_DIR}
exe=$build/rocksdb-tests/bin/$bin
# Ours (wtrocks_fs_basic_test) is built in the build tree itself.
[ -x "$exe" ] || [ ! -x "$build/$bin" ] || exe=$build/$bin

skip() { echo "[  SKIPPED ] rocksdb $bin mode=$mode: $*"; echo "rocksdb: bin=$bin mode=$mode SKIPPED ($*)"; exit 77; }
# The build script records why it could not get RocksDB's sources (no
# deb-src access): every test of its binaries skips with that reason.
[ -x "$exe" ] || [ ! -f "$build/rocksdb-tests/skipped" ] || skip "$(cat "$build/rocksdb-tests/skipped")"
[ -x "$exe" ] || { echo "rocksdb $bin: $exe missing (the rocksdb_tests_build fixture failed?)"; exit 1; }
xfs=$(sed -n 's/^WTROCKS_SCRATCH_XFS=//p' "${WTROCKS_SCRATCH_ENV:?WTROCKS_SCRATCH_ENV}" 2>/dev/null)
case "$xfs" in "" | SKIP*) skip "no scratch XFS: ${xfs:-no env file}" ;; esac

if [ "$mode" != default ]; then
  plugin=$build/libwtrocks.so
  [ -f "$plugin" ] || { echo "rocksdb $bin: $plugin missing"; exit 1; }
  # A mode the plugin does not offer (a URI it refuses, e.g. direct once
  # issue 12's fix lands) or the kernel or filesystem cannot do would fail
  # every DB::Open: that is a SKIP with the plugin's or the probe's reason,
  # not a RocksDB failure. auto must always load.
  uri_check=$(LD_PRELOAD="$plugin" "$build/wt_uri_check" --lib="$plugin" --fs_uri="wtrocks://mode=$mode" 2>&1) || {
    [ "$mode" != auto ] || { echo "rocksdb $bin: $uri_check"; exit 1; }
    skip "the plugin refuses wtrocks://mode=$mode: ${uri_check#*does not load: }"
  }
  if [ "$mode" != auto ]; then
    probe=$("$build/wal_probe" "$xfs" 2>&1 | grep -E "^ *$mode: " | head -1)
    case "$probe" in
    *": yes"*) ;;
    *) skip "mode $mode on $xfs: ${probe:-wal_probe gave no answer}" ;;
    esac
  fi
fi

# filters.txt / known-failures.txt: "BIN MODES PATTERN  # reason", MODES a
# comma list or "*", PATTERN a gtest pattern (filters) or a case name.
# In filters.txt "*" includes the default reference; in known-failures.txt
# it means every wtrocks mode (the reference has no known failures).
select_lines() {  # file star_includes_default
  awk -v b="$bin" -v m="$mode" -v d="$2" '
    /^[[:space:]]*(#|$)/ { next }
    $1 == b { n = split($2, ms, ",")
              for (i = 1; i <= n; i++)
                if ((ms[i] == "*" && (d || m != "default")) || ms[i] == m) { print $3; break } }' "$1"
}
negative=$(select_lines "$here/filters.txt" 1 | paste -sd: -)
mapfile -t known < <(select_lines "$here/known-failures.txt" "")
# sweeps.txt: "BIN SHARDS PATTERN", one line per sweep of this binary.
sweep=$(awk -v b="$bin" '/^[[:space:]]*(#|$)/ { next } $1 == b { print $3 }' "$here/sweeps.txt" | paste -sd: -)
shards=$(awk -v b="$bin" '/^[[:space:]]*(#|$)/ { next } $1 == b { print $2; exit }' "$here/sweeps.txt")
shard=""  # "I/N" when one shard of the sweep runs, empty when all of it
if [ -n "$sweep" ] && [ "${WTROCKS_ROCKSDB_SWEEPS:-full}" != full ]; then
  case "${WTROCKS_ROCKSDB_SHARD:-}" in
  all) ;;
  */*) shard=$WTROCKS_ROCKSDB_SHARD ;;
  *) m=0
     case "$mode" in fsync) m=1 ;; dsync) m=2 ;; writethrough) m=3 ;; esac
     shard=$(( (3 * ($(date -u +%s) / 86400) + m) % shards ))/$shards ;;
  esac
fi
filter="*"
[ -z "$negative" ] || filter="*-$negative"
if [ -n "$shard" ]; then
  # Pass 1: everything but the sweep; pass 2: one shard of the sweep.
  filter="*-${negative:+$negative:}$sweep"
  sweep_filter="$sweep${negative:+-$negative}"
fi

work=$xfs/rocksdb-$bin-$mode
log=${WTROCKS_ROCKSDB_LOGS:-$build/rocksdb-tests/logs}/$bin-$mode.log
mkdir -p "$(dirname "$log")"
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX only ever reach the sweep's pass:
# the re-run of one failed case without the plugin must not be sharded away.
run() {  # filter plugin(0/1) [shard I/N] -> gtest output on stdout
  local f=$1 with=$2 sh=()
  [ -z "${3:-}" ] || sh=(GTEST_SHARD_INDEX="${3%/*}" GTEST_TOTAL_SHARDS="${3#*/}")
  if [ "$with" = 1 ]; then
    env -u GTEST_SHARD_INDEX -u GTEST_TOTAL_SHARDS "${sh[@]}" TEST_TMPDIR="$work" \
      LD_PRELOAD="$plugin" TEST_FS_URI="wtrocks://mode=$mode" \
      "$exe" --gtest_filter="$f" --gtest_color=no 2>&1
  else
    env -u TEST_FS_URI -u LD_PRELOAD -u GTEST_SHARD_INDEX -u GTEST_TOTAL_SHARDS "${sh[@]}" \
      TEST_TMPDIR="$work" "$exe" --gtest_filter="$f" --gtest_color=no 2>&1
  fi
}
with=1; [ "$mode" = default ] && with=0
start=$(date +%s)
shard_note=""
[ -z "$shard" ] || shard_note=" shard=$shard of '$sweep' (replay: WTROCKS_ROCKSDB_SHARD=$shard)"
# A crash (abort, segfault, timeout kill) ends a pass without gtest's
# summary: name the case that was running.
pass() {  # filter [shard]: appends to the log
  local plog=$log.pass rc
  run "$1" "$with" "${2:-}" >"$plog"; rc=$?
  cat "$plog" >>"$log"
  if ! grep -q '^\[==========\] .* ran\.' "$plog"; then
    local last
    last=$(sed -n 's/^\[ RUN      \] //p' "$plog" | tail -1)
    echo "rocksdb $bin mode=$mode: exit $rc without a gtest summary; last case started: $last"
    tail -30 "$plog"
    echo "rocksdb: bin=$bin mode=$mode CRASHED in $last seconds=$(($(date +%s) - start))$shard_note (log $log)"
    exit 1
  fi
  rm -f "$plog"
}
: >"$log"
pass "$filter"
[ -z "$shard" ] || pass "$sweep_filter" "$shard"
seconds=$(($(date +%s) - start))

mapfile -t failed < <(sed -n 's/^\[  FAILED  \] \([^ ,]*\).*/\1/p' "$log" | grep -v '^[0-9]*$' | sort -u)
passed=$(grep -c '^\[       OK \]' "$log")
skipped=$(grep -c '^\[  SKIPPED \]' "$log")

bad=() alsodefault=() knownfail=() xpass=()
for c in "${failed[@]}"; do
  if printf '%s\n' "${known[@]}" | grep -qxF "$c"; then knownfail+=("$c"); continue; fi
  if [ "$mode" != default ] && ! run "$c" 0 | grep -q '^\[  PASSED  \] 1 test'; then
    alsodefault+=("$c"); continue
  fi
  bad+=("$c")
done
for k in "${known[@]}"; do
  printf '%s\n' "${failed[@]}" | grep -qxF "$k" || { grep -q "^\[       OK \] $k " "$log" && xpass+=("$k"); }
done

for c in "${bad[@]}"; do
  if [ "$mode" = default ]; then echo "FAILED $c (without the plugin: the reference itself)"
  else echo "FAILED $c (through wtrocks mode=$mode; passes without the plugin)"; fi
  # The failure message: from the case's RUN line to its FAILED line.
  sed -n "/^\[ RUN      \] ${c//\//\\/}\$/,/^\[  FAILED  \] ${c//\//\\/} /p" "$log" | head -40
done
for c in "${alsodefault[@]}"; do echo "fails (or does not exist) without the plugin too, not counted: $c"; done
for c in "${knownfail[@]}"; do echo "known failure (known-failures.txt): $c"; done
for c in "${xpass[@]}"; do echo "XPASS, remove from known-failures.txt: $bin $mode $c"; done
[ -z "$shard" ] || echo "rocksdb $bin mode=$mode:$shard_note"
echo "rocksdb: bin=$bin mode=$mode passed=$passed failed=${#bad[@]} known=${#knownfail[@]} xpass=${#xpass[@]} also_default=${#alsodefault[@]} skipped=$skipped seconds=$seconds${shard:+ shard=$shard}"
[ ${#bad[@]} -eq 0 ]
