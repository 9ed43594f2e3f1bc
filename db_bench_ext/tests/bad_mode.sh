#!/bin/bash
# bad_mode.sh SRC_DIR BUILD_DIR: db_bench_wt must refuse bad input with a clear
# message and exit status 2, never start db_bench (which would segfault
# silently on an unknown --fs_uri).
set -u
src=$1 build=$2
wt=$src/db_bench_wt
fails=0

expect() {  # description expected-substring command...
  local what=$1 want=$2; shift 2
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ $rc -ne 2 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL: $what: exit $rc, wanted 2 and '$want' in:"
    echo "$out" | sed 's/^/    /'
    fails=$((fails + 1))
  else
    echo "ok: $what: ${out%%$'\n'*}"
  fi
}

expect "unknown mode" "unknown --wt_mode 'bogus'" \
  "$wt" --wt_mode=bogus --benchmarks=fillseq
expect "unknown wt flag" "unknown flag '--wt_frob'" "$wt" --wt_frob
empty=$(mktemp -d)
expect "missing plugin" "does not exist" \
  "$wt" --wt_mode=fsync --wt_build="$empty" --benchmarks=fillseq
rmdir "$empty"
expect "uri and mode" "not both" "$wt" --wt_mode=fsync --wt_uri=wtrocks://
expect "fs_uri conflict" "conflicts" "$wt" --fs_uri=posix:// --wt_mode=fsync

# The URI check itself needs the plugin and the checker from this build.
if [ -f "$build/libwtrocks.so" ] && [ -x "$build/wt_uri_check" ]; then
  expect "bad URI value" "preflight failed" \
    "$wt" --wt_build="$build" --wt_uri=wtrocks://mode=bogus --benchmarks=fillseq
  if ! out=$("$wt" --wt_build="$build" --wt_mode=fsync --wt_check 2>&1); then
    echo "FAIL: a good URI does not pass the preflight:"; echo "$out"
    fails=$((fails + 1))
  else
    echo "ok: good URI: $out"
  fi
else
  echo "note: $build/libwtrocks.so or wt_uri_check not built; URI checks not run"
fi
[ $fails -eq 0 ]
