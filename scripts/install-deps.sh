#!/bin/bash
# Installs the Debian packages wtrocks needs, only when one is missing, so a
# second run is silent and needs no network.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config python3
  # a compiler cache for make test's four builds (cmake/ccache.cmake)
  ccache
  librocksdb-dev rocksdb-tools liburing-dev libgflags-dev libgtest-dev
  xfsprogs e2fsprogs util-linux
  # apt-get source / dpkg-source for RocksDB's and Redis' own tests
  # (scripts/build-rocksdb-tests.sh, scripts/get-redis-tests.sh); tclsh
  # runs Redis' test harness (tests/server/redis_suite_test.py)
  dpkg-dev tcl
  # the patched kernel and the VM it runs in (kernel-patches/)
  linux-source-6.12 qemu-system-x86 flex bison bc libelf-dev libssl-dev cpio
  busybox-static dmsetup xz-utils rsync
  # plots for db_bench_ext/compare
  gnuplot-nox
  # wtkv serve (issue 15): redis-cli and redis-benchmark are the real clients
  # of tests/server and db_bench_ext/redis_bench; redis-server 7.0 gives the
  # reference replies and the appendfsync baselines. Used as packages only.
  redis-tools redis-server
  # redis-py, the Python client tests/server/redis_py_test.py drives the
  # server with (transactions, WATCH), as a real application would
  python3-redis
  # the RocksDB 9.10 leg (scripts/trixie-root.sh): a Debian 13 root
  debootstrap
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to apt-get install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q "${missing[@]}" >/dev/null
