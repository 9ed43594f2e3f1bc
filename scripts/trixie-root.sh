#!/bin/bash
# trixie-root.sh: a Debian 13 (trixie) root for building and testing wtrocks
# against Debian 13's RocksDB 9.10 (issue 14). Uses Debian 13 *packages* only
# (librocksdb-dev, rocksdb-tools, ... from Debian's archive, and the rocksdb
# source package through `apt-get source`); nothing is built from fetched code
# here.
#
#   trixie-root.sh path            print the cached root, building it if needed
#   trixie-root.sh enter [CMD...]  run CMD (default: a shell) in the root, with
#                                  the checkout at /wtrocks (cwd), /proc, /dev,
#                                  /sys and a private /tmp; unmounted on exit
#
# The root is made with `debootstrap --variant=minbase trixie` from the mirror
# this machine's apt uses, plus the packages in the recipe below. It is cached
# in /var/cache/wtrocks-trixie/<key> (else BUILD/trixie-cache, BUILD =
# $WTROCKS_TRIXIE_BUILD or build-rocksdb9), keyed by a hash of the recipe
# section of this script, and built under /tmp/wtrocks-heavy.lock. A machine
# that cannot make it (not root, no debootstrap, no network) gets exit 77 and
# one line "SKIPPED: <reason>".
#
# `enter` runs in its own mount namespace (unshare -m), so its bind mounts are
# never visible to, nor left behind for, anyone else, and two enters of one
# cached root do not collide; the trap unmounts anyway.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/.." && pwd)
self="$here/$(basename "$0")"

skip() { echo "SKIPPED: $*" >&2; exit 77; }

# --- root recipe begin (hashed into the cache key) ---
TRIXIE_PKGS=(
  build-essential cmake pkg-config python3
  librocksdb-dev rocksdb-tools liburing-dev libgflags-dev libgtest-dev
  xfsprogs e2fsprogs util-linux mount procps
  # apt-get source rocksdb (the upstream plugin build check)
  dpkg-dev ca-certificates
  # the server tests' real clients and reference server (tests/server);
  # redis-py and tclsh for redis_py_test.py and Redis' own test suite
  # (Debian 13's redis source package, via the deb-src line below)
  redis-server redis-tools python3-redis tcl
)
make_root() {  # DIR MIRROR
  local dir=$1 mirror=$2
  debootstrap --variant=minbase trixie "$dir" "$mirror"
  cat >"$dir/etc/apt/sources.list" <<EOF
deb $mirror trixie main
deb-src $mirror trixie main
EOF
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # No service may start inside the root (redis-server's postinst tries).
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  chroot "$dir" /bin/sh -c "apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${TRIXIE_PKGS[*]} && \
    apt-get clean"
}
# --- root recipe end ---

recipe_key() {
  sed -n '/^# --- root recipe begin/,/^# --- root recipe end/p' "$self" |
    sha256sum | cut -c1-16
}

# The mirror this machine's apt uses for Debian (deb822 or one-line format).
host_mirror() {
  local m
  m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk '{print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -1)
  [ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '{print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -1)
  echo "${WTROCKS_TRIXIE_MIRROR:-${m:-http://deb.debian.org/debian}}"
}

# The cache: the shared one if it holds this recipe's root or we may write
# there, else one in the build directory.
cache_dir() {
  local base=/var/cache/wtrocks-trixie key=$1
  [ -f "$base/$key/.wtrocks-complete" ] && { echo "$base"; return; }
  if ! mkdir -p "$base" 2>/dev/null || [ ! -w "$base" ]; then
    base="$checkout/${WTROCKS_TRIXIE_BUILD:-build-rocksdb9}/trixie-cache"
    mkdir -p "$base" 2>/dev/null || return 1
  fi
  echo "$base"
}

root_path() {
  local base key root
  key=$(recipe_key)
  base=$(cache_dir "$key") || skip "no writable cache directory for the Debian 13 root (uid $(id -u))"
  root="$base/$key"
  if [ -f "$root/.wtrocks-complete" ]; then echo "$root"; return; fi

  [ "$(id -u)" -eq 0 ] || skip "the Debian 13 root needs root to build (uid $(id -u))"
  command -v debootstrap >/dev/null || skip "debootstrap not installed (apt-get install debootstrap)"
  [ -e /usr/share/debootstrap/scripts/trixie ] || skip "this debootstrap does not know trixie"
  local mirror host
  mirror=$(host_mirror)
  host=$(echo "$mirror" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')
  timeout 15 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null ||
    skip "no network to the Debian mirror $mirror"

  echo "trixie-root: building Debian 13 root $root from $mirror (waits for /tmp/wtrocks-heavy.lock)" >&2
  (
    flock 9
    [ -f "$root/.wtrocks-complete" ] && exit 0  # another run made it meanwhile
    rm -rf "$root.tmp"
    # Timed inside the heavy lock: the wait for other builds is not the cost.
    if ! flock /tmp/wtrocks-heavy.lock bash -c "t0=\$SECONDS; $(declare -p TRIXIE_PKGS); $(declare -f make_root); make_root '$root.tmp' '$mirror' && echo \$((SECONDS - t0)) >'$root.tmp/.wtrocks-seconds'" \
         >"$base/$key.log" 2>&1; then
      tail -20 "$base/$key.log" >&2
      echo "trixie-root: building the root failed (log: $base/$key.log)" >&2
      exit 1
    fi
    chroot "$root.tmp" dpkg-query -W -f='${Package} ${Version}\n' >"$root.tmp/.wtrocks-packages"
    local took
    took=$(cat "$root.tmp/.wtrocks-seconds")
    echo "built in $took s from $mirror" >"$root.tmp/.wtrocks-complete"
    rm -rf "$root" && mv "$root.tmp" "$root"
    echo "trixie-root: built in $took s (debootstrap + packages)" >&2
  ) 9>"$base/.lock" || exit 1
  echo "$root"
}

enter() {
  local root
  root=$(root_path) || exit $?
  [ "$(id -u)" -eq 0 ] || skip "entering the Debian 13 root needs root (chroot)"
  # Re-exec inside a private mount namespace; the second stage mounts.
  exec unshare --mount --propagation private "$self" __enter "$root" "$@"
}

enter_ns() {
  local root=$1; shift
  mounted=()
  cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
      umount -R -l "${mounted[i]}" 2>/dev/null || true
    done
  }
  trap cleanup EXIT
  bind() {  # SRC DST [mount options]
    local src=$1 dst=$2; shift 2
    mkdir -p "$dst"
    mount "$@" "$src" "$dst"
    mounted+=("$dst")
  }
  bind proc "$root/proc" -t proc
  bind /dev "$root/dev" --rbind
  bind /sys "$root/sys" --rbind
  bind tmpfs "$root/tmp" -t tmpfs
  # --rbind: filesystems mounted under the checkout (a benchmark's XFS)
  # are seen inside too.
  bind "$checkout" "$root/wtrocks" --rbind
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  local rc=0 keep=() v
  if [ $# -eq 0 ]; then set -- /bin/bash; fi
  # The host's environment stays outside, except the knobs the scripts read.
  for v in $(compgen -e | grep -E '^(JOBS|WTROCKS_[A-Z0-9_]*)$'); do keep+=("$v=${!v}"); done
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    TERM="${TERM:-dumb}" LANG=C.UTF-8 "${keep[@]}" \
    /bin/sh -c 'cd /wtrocks && exec "$@"' sh "$@" || rc=$?
  exit $rc
}

case "${1:-}" in
path) root_path ;;
enter) shift; enter "$@" ;;
__enter) shift; enter_ns "$@" ;;
*) echo "usage: $0 path | enter [CMD...]" >&2; exit 2 ;;
esac
