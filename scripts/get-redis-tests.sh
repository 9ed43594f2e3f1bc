#!/bin/bash
# get-redis-tests.sh
#
# Prints the directory of Redis' own test suite: Debian's redis SOURCE
# package (Debian 12's, a dependency used as a package: apt-get source,
# see scripts/lib/debian-source.sh), unpacked once per version into
# $WTROCKS_REDIS_TESTS_CACHE (default /var/cache/wtrocks-redis-tests;
# $TMPDIR/wtrocks-redis-tests if that is not writable), outside the
# checkout. tests/server/redis_suite_test.py runs units of it against
# `wtkv serve`. Offline, the newest version unpacked before is used.
# Exit 77 (SKIPPED) with the reason on stderr when there is none and the
# source package cannot be had (no deb-src line and not root, a Debian 13
# root, no network).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/debian-source.sh
. "$here/lib/debian-source.sh"

cache=${WTROCKS_REDIS_TESTS_CACHE:-/var/cache/wtrocks-redis-tests}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  cache=${TMPDIR:-/tmp}/wtrocks-redis-tests
  mkdir -p "$cache"
fi
# Concurrent runs: the loser waits and finds the winner's copy.
exec 9>"$cache/lock"
flock 9

newest_cached() {
  find "$cache" -maxdepth 2 -path "$cache/src-*/tests" -type d 2>/dev/null |
    sed 's|/tests$||' | sort -V | tail -1
}

version=""
if debian_source_ensure redis; then
  version=$(debian_source_version redis)
fi
if [ -z "$version" ]; then
  src=$(newest_cached)
  if [ -z "$src" ]; then
    echo "get-redis-tests.sh: ${debian_source_why:-apt names no redis source package}" >&2
    exit 77
  fi
  echo "get-redis-tests.sh: apt cannot say which redis source to use; using $src" >&2
  echo "$src"
  exit 0
fi
src=$cache/src-$version
if [ ! -f "$src/tests/test_helper.tcl" ]; then
  rc=0
  # Not redis=$version: the source version has an epoch (5:) that the
  # .dsc's name, where $version comes from, leaves out.
  debian_source_unpack redis "$src" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "get-redis-tests.sh: $debian_source_why" >&2
    [ "$rc" -eq 1 ] && exit 77
    exit 1
  fi
fi
echo "$src"
