# Sourced by scripts/run-tests.sh and scripts/run-tests-rocksdb9.sh: runs a
# ctest and adds its summary to the totals, so both legs count tests the
# same way.
#   LOG            directory for ctest-NAME.log (set by the caller)
#   JOBS           ctest -j
#   passed failed skipped broken   the totals (initialised here)
passed=0 failed=0 skipped=0 broken=()

# run_ctest NAME BUILD_DIR [ctest args...]
run_ctest() {
  local name=$1 dir=$2; shift 2
  local out="$LOG/ctest-$name.log"
  echo "== ctest $name ($dir $*)"
  ctest --test-dir "$dir" --output-on-failure -j"$JOBS" "$@" 2>&1 | tee "$out"
  local total fails skips
  total=$(sed -n 's/.*tests passed, [0-9]* tests\{0,1\} failed out of \([0-9]*\).*/\1/p' "$out" | tail -1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of.*/\1/p' "$out" | tail -1)
  skips=$(grep -c '\*\*\*Skipped\|Not Run' "$out")
  if [ -z "$total" ]; then
    echo "ctest $name produced no summary" >&2
    failed=$((failed + 1)); broken+=("$name:no-summary"); return
  fi
  passed=$((passed + total - fails - skips))
  failed=$((failed + fails))
  skipped=$((skipped + skips))
  [ "$fails" -eq 0 ] || broken+=("$name")
}

# build DIR TARGET [cmake args...]
build() {
  local dir=$1 target=$2; shift 2
  echo "== build $dir ($target)"
  if ! { cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
         cmake --build "$dir" -j"$JOBS" --target "$target" >"$LOG/build-$(basename "$dir").log" 2>&1; }; then
    tail -50 "$LOG/build-$(basename "$dir").log"
    failed=$((failed + 1)); broken+=("build:$dir"); return 1
  fi
}

# durability_lines BUILD_DIR: the per-scenario lines of the last ctest run,
# RocksDB's per-binary lines and the debug kernel rotation's slice (ctest
# keeps passing tests' output only in its log).
durability_lines() {
  [ -f "$1/Testing/Temporary/LastTest.log" ] || return 0
  echo "== durability summary${2:+ ($2)} (lost, corrupted, reordered, unexpected must all be 0)"
  grep -h '^durability: ' "$1/Testing/Temporary/LastTest.log" | sort -s -k2,2 || echo "(none ran)"
  if grep -q '^rocksdb: ' "$1/Testing/Temporary/LastTest.log"; then
    echo "== RocksDB's own tests, one line per binary and mode (tests/rocksdb/README.md)"
    grep -h '^rocksdb: ' "$1/Testing/Temporary/LastTest.log" | sort -s -k2,2
  fi
  if grep -q '^vm-debug-rotation: slice=.* result=' "$1/Testing/Temporary/LastTest.log"; then
    echo "== VM tests on the debug kernel, today's slice of the rotation (tests/vm/README.md)"
    grep -h '^vm-debug-rotation: slice=.* result=' "$1/Testing/Temporary/LastTest.log"
  fi
}
