#!/bin/bash
# check-upstream-plugin.sh: does RocksDB 9.10's own build pick up and compile
# engine/plugin (ROCKSDB_PLUGINS=wtrocks)? Runs in the Debian 13 root
# (scripts/trixie-root.sh) on Debian 13's rocksdb *source package*, fetched
# with `apt-get source rocksdb` as a package into build-rocksdb9/upstream/
# (never committed). It compiles only wtrocks' own plugin objects with
# RocksDB's compiler flags (make: -Werror and its warning set; CMake:
# configure, then our objects) and checks that RocksDB's link lines carry our
# sources and the -u wtrocks_filesystem_reg registrar; it does not build
# RocksDB itself (a full build takes far longer than the suite, see
# docs/results.md). Exit 0 ok, 1 failed, 77 skipped (no root / no source).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${WTROCKS_ROCKSDB9_BUILD:-build-rocksdb9}

if [ "${1:-}" != --inside ]; then
  scripts/trixie-root.sh enter scripts/check-upstream-plugin.sh --inside
  exit
fi

JOBS=${JOBS:-$(nproc)}
repo=$PWD
work=$repo/$BUILD/upstream
mkdir -p "$work"
cd "$work" || exit 1
src=$(ls -d rocksdb-*/ 2>/dev/null | head -1)
if [ -z "$src" ]; then
  echo "== apt-get source rocksdb (Debian 13 source package)"
  # The root's apt lists (deb-src included) are from when it was made.
  apt-get source -q rocksdb 2>&1 | grep -v '^Get:\|^Need to get' | tail -5
  src=$(ls -d rocksdb-*/ 2>/dev/null | head -1)
  if [ -z "$src" ]; then
    # Some mirrors serve the package's orig tarball but not its .dsc, and
    # then dpkg-source cannot unpack it: use the tarball apt fetched.
    orig=$(ls rocksdb_*.orig.tar.* 2>/dev/null | head -1)
    [ -n "$orig" ] || { echo "SKIPPED: apt-get source rocksdb fetched nothing (deb-src line?)"; exit 77; }
    echo "== the mirror served no .dsc: unpacking $orig (without Debian's patches)"
    tar xf "$orig" || exit 1
    src=$(ls -d rocksdb-*/ | head -1)
  fi
fi
src=$work/${src%/}
echo "== RocksDB source: $src"
# A copy of our sources, not a link to the checkout: RocksDB's make writes
# its .d files next to each source, and those must not land in the checkout.
tree=$work/wtrocks-tree
rm -rf "$tree" && mkdir -p "$tree" && cp -a "$repo/engine" "$repo/wal" "$tree/" || exit 1
ln -sfn "$tree/engine/plugin" "$src/plugin/wtrocks"

fail=0
objs() {  # the plugin's objects, as RocksDB's make names them
  sed -n '/^[^#].*\.cc$/s|^\(.*\)\.cc$|plugin/wtrocks/engine_src/\1.o|p' "$repo/engine/sources.txt"
  for f in "$repo"/wal/*.cc; do echo "plugin/wtrocks/wal_src/$(basename "${f%.cc}").o"; done
}
mapfile -t targets < <(objs)
# SKIP_DEPENDS=1: otherwise make first preprocesses all ~1,000 RocksDB
# sources to generate .d files, even for -n (over 20 min on a loaded box).

echo "== make: are our sources and link flags picked up?"
cd "$src" || exit 1
dry=$(make -n SKIP_DEPENDS=1 ROCKSDB_PLUGINS=wtrocks shared_lib 2>&1)
for t in "${targets[@]}"; do
  grep -q -- "$t" <<<"$dry" || { echo "FAIL: make's shared_lib does not build $t"; fail=1; }
done
grep -q -- '-u wtrocks_filesystem_reg' <<<"$dry" || { echo "FAIL: make's link lacks -u wtrocks_filesystem_reg"; fail=1; }
grep -q -- '-luring' <<<"$dry" || { echo "FAIL: make's link lacks -luring"; fail=1; }
echo "== make: compiling ${#targets[@]} plugin objects with RocksDB's flags"
t0=$SECONDS
if ! make -j"$JOBS" SKIP_DEPENDS=1 ROCKSDB_PLUGINS=wtrocks "${targets[@]}" >"$work/make.log" 2>&1; then
  grep -E 'error|Error' "$work/make.log" | head -20
  echo "FAIL: make ROCKSDB_PLUGINS=wtrocks (log: $work/make.log)"; fail=1
else
  echo "make: ${#targets[@]} objects in $((SECONDS - t0)) s; flags: $(grep -m1 -o -- '-W[a-z-]*error[a-z-]*\|-Werror' "$work/make.log" | head -1)"
fi

echo "== CMake: configure with -DROCKSDB_PLUGINS=wtrocks, compile our objects"
cb=$work/cmake-build
t0=$SECONDS
if ! cmake -S "$src" -B "$cb" -DROCKSDB_PLUGINS=wtrocks -DWITH_GFLAGS=OFF \
     -DWITH_TESTS=OFF -DWITH_BENCHMARK_TOOLS=OFF -DWITH_TOOLS=OFF \
     -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/cmake.log" 2>&1; then
  tail -20 "$work/cmake.log"; echo "FAIL: cmake configure (log: $work/cmake.log)"; fail=1
else
  mapfile -t ctargets < <(objs | sed 's/\.o$/.cc.o/')
  if ! make -C "$cb" -j"$JOBS" "${ctargets[@]}" >"$work/cmake-make.log" 2>&1; then
    grep -E 'error|Error|No rule' "$work/cmake-make.log" | head -20
    echo "FAIL: CMake build of the plugin objects (log: $work/cmake-make.log)"; fail=1
  else
    echo "cmake: configure + ${#ctargets[@]} objects in $((SECONDS - t0)) s"
  fi
  grep -rq 'wtrocks_filesystem_reg' "$cb/CMakeFiles" "$cb/CMakeCache.txt" 2>/dev/null ||
    { echo "FAIL: CMake link flags lack -u wtrocks_filesystem_reg"; fail=1; }
fi
rm -f "$src/plugin/wtrocks"
[ "$fail" -eq 0 ] && echo "upstream plugin build (RocksDB $(basename "$src")): OK"
exit "$fail"
