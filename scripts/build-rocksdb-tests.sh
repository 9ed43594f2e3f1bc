#!/bin/bash
# build-rocksdb-tests.sh [--out DIR] [--jobs N]
#
# Builds RocksDB's own test binaries (env_basic_test, db_basic_test,
# db_wal_test, ..., see tests/rocksdb/suite/CMakeLists.txt) and db_stress
# from Debian's SOURCE PACKAGE of the installed librocksdb-dev, against the
# installed librocksdb.so. The source package is a Debian dependency used as
# a package (`apt-get source rocksdb=<installed version>`); nothing fetched
# is ever copied into the checkout.
#
# Needs a deb-src line for bookworm: when apt has none, this script adds
# /etc/apt/sources.list.d/wtrocks-deb-src.sources (as root) and says so
# (scripts/lib/debian-source.sh).
#
# Result: DIR/bin/<binary> (default <repo>/build/rocksdb-tests) and
# DIR/version. When the source package cannot be had (no deb-src line and
# not root, no network), exit 77 (SKIPPED) with the reason, also written
# to DIR/skipped, which tests/rocksdb's runners turn into their own SKIP. Cached by a hash of (source package version, this script,
# tests/rocksdb/suite/CMakeLists.txt) in $WTROCKS_ROCKSDB_TESTS_CACHE,
# default /var/cache/wtrocks-rocksdb-tests (outside the checkout, so CI
# re-runs on the same machine only copy); if that is not writable, in
# DIR/../rocksdb-tests-cache. A cold build is CPU heavy and runs under
# flock $WTROCKS_HEAVY_LOCK (default /tmp/wtrocks-heavy.lock), the machine's
# shared lock for heavy builds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=lib/debian-source.sh
. "$here/lib/debian-source.sh"
out="" jobs=${JOBS:-2}
while [ $# -gt 0 ]; do
  case "$1" in
  --out) out=${2:?--out needs a directory}; shift ;;
  --jobs) jobs=${2:?--jobs needs a number}; shift ;;
  -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
  *) echo "build-rocksdb-tests.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-$repo/build/rocksdb-tests}
suite=$repo/tests/rocksdb/suite

die() { echo "build-rocksdb-tests.sh: $*" >&2; exit 1; }
skip() {
  rm -rf "${out:?}/bin"
  echo "$*" >"$out/skipped"
  echo "[  SKIPPED ] build-rocksdb-tests.sh: $*"
  exit 77
}
for tool in cmake make g++ dpkg-source sha256sum; do
  command -v $tool >/dev/null || die "'$tool' not found: run scripts/install-deps.sh"
done
version=$(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null) ||
  die "librocksdb-dev is not installed: run scripts/install-deps.sh"

key=$( {
  echo "rocksdb=$version"
  cat "$0" "$suite/CMakeLists.txt"
} | sha256sum | cut -c1-16)

cache=${WTROCKS_ROCKSDB_TESTS_CACHE:-/var/cache/wtrocks-rocksdb-tests}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  cache=$(dirname "$out")/rocksdb-tests-cache
  mkdir -p "$cache"
fi
mkdir -p "$out"

install_result() {
  rm -f "$out/skipped"
  rm -rf "$out/bin.new"
  cp -r "$cache/bin/$key" "$out/bin.new"
  rm -rf "$out/bin" && mv "$out/bin.new" "$out/bin"
  cp "$cache/bin/$key/version" "$out/version"
  echo "build-rocksdb-tests.sh: RocksDB $version tests $key -> $out/bin"
}

# Two ctest runs may race: the loser waits and reuses the winner's result.
exec 9>"$cache/lock"
flock 9
if [ -f "$cache/bin/$key/version" ]; then
  install_result
  exit 0
fi

# The source package, unpacked once per version.
src=$cache/src-$version
if [ ! -f "$src/db/db_test_util.cc" ]; then
  debian_source_unpack "rocksdb=$version" "$src" || {
    [ $? -eq 1 ] && skip "$debian_source_why"
    die "$debian_source_why"
  }
fi

start=$(date +%s)
# One build tree per source version: a changed suite rebuilds incrementally.
# CMake ties a build tree to its source directory, so the suite's
# CMakeLists.txt is copied into the cache: any checkout (another clone or
# worktree) then reuses the same tree. A tree configured from elsewhere (a
# checkout's path, before this copy) is reconfigured; its objects stay.
bdir=$cache/build-$version
mkdir -p "$cache/suite"
cp "$suite/CMakeLists.txt" "$cache/suite/CMakeLists.txt"
suite=$cache/suite
if [ -f "$bdir/CMakeCache.txt" ] &&
   ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$suite" "$bdir/CMakeCache.txt"; then
  rm -f "$bdir/CMakeCache.txt"
fi
log=$cache/build-$key.log
echo "build-rocksdb-tests.sh: building RocksDB $version tests $key in $bdir (log $log)"
if ! flock "${WTROCKS_HEAVY_LOCK:-/tmp/wtrocks-heavy.lock}" bash -c '
    cmake -S "$1" -B "$2" -DROCKSDB_SRC="$3" -DCMAKE_BUILD_TYPE=None &&
    nice -n 5 cmake --build "$2" -j"$4"' _ "$suite" "$bdir" "$src" "$jobs" >"$log" 2>&1; then
  # grep finding nothing must not end the script (set -e, pipefail) before
  # it says why it failed.
  grep -iE 'error' "$log" | head -30 >&2 || true
  tail -20 "$log" >&2
  die "build failed (full log: $log)"
fi

bins=(env_basic_test db_basic_test db_wal_test db_write_test db_flush_test
      db_log_iter_test db_secondary_test db_io_failure_test corruption_test
      fault_injection_test db_stress)
rm -rf "$cache/bin/$key.new" && mkdir -p "$cache/bin/$key.new"
for b in "${bins[@]}"; do
  cp "$bdir/$b" "$cache/bin/$key.new/" || die "$b was not built (log: $log)"
done
{
  echo "source=rocksdb $version (Debian source package)"
  echo "key=$key"
  echo "build_seconds=$(($(date +%s) - start)) jobs=$jobs"
} >"$cache/bin/$key.new/version"
rm -rf "$cache/bin/$key" && mv "$cache/bin/$key.new" "$cache/bin/$key"
install_result
cat "$out/version"
