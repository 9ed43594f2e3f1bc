# Sourced: Debian's SOURCE packages as dependencies of the test suite (the
# test suites of RocksDB and Redis that run against wtrocks), used as
# packages: downloaded by apt, unpacked by dpkg-source into a cache outside
# the checkout, never copied into it.
#
# debian_source_ensure SPEC
#   Makes `apt-get source SPEC` possible: when apt has no deb-src line for
#   it, adds one for bookworm, as root and on Debian 12 only
#   (/etc/apt/sources.list.d/wtrocks-deb-src.sources). Returns 1 when it
#   cannot ($debian_source_why says why; callers report SKIPPED).
# debian_source_unpack SPEC DEST
#   `apt-get source SPEC` (a package, or package=version) unpacked into
#   DEST, which appears complete or not at all. Returns 1 when the source
#   package cannot be had here (as above), 2 when it came but would not
#   unpack.
# debian_source_version PKG
#   The version `apt-get source PKG` would fetch ("" if apt cannot say).
debian_source_why=""
debian_source_ready=""  # the last spec ensured: unpack need not ask apt again

debian_source_ensure() {
  local spec=$1 codename
  [ "$debian_source_ready" = "$spec" ] && return 0
  # grep without -q reads to the end: apt-get must not die of SIGPIPE,
  # which pipefail would report as "no deb-src line".
  if ! apt-get source --print-uris -q "$spec" 2>/dev/null | grep "\.dsc'" >/dev/null; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
    if [ "$codename" != bookworm ]; then
      debian_source_why="apt has no deb-src line for $spec, and this is Debian $codename, not 12 (bookworm), whose line the scripts add"
      return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
      debian_source_why="apt has no deb-src line for $spec; as root the scripts add one"
      return 1
    fi
    echo "debian-source.sh: adding a deb-src line for bookworm (/etc/apt/sources.list.d/wtrocks-deb-src.sources)"
    cat >/etc/apt/sources.list.d/wtrocks-deb-src.sources <<'SRC'
# Added by wtrocks scripts/lib/debian-source.sh: Debian's source packages of
# RocksDB and Redis, whose own test suites run against wtrocks.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    if ! apt-get update -q >/dev/null; then
      debian_source_why="apt-get update failed after adding the deb-src line (network?)"
      return 1
    fi
  fi
  debian_source_ready=$spec
}

debian_source_unpack() {
  local spec=$1 dest=$2 dl
  debian_source_ensure "$spec" || return 1
  mkdir -p "$(dirname "$dest")"
  dl=$(mktemp -d "$dest.download.XXXXXX")
  if ! (cd "$dl" && apt-get source -q --download-only "$spec" >/dev/null 2>&1); then
    rm -rf "$dl"
    debian_source_why="apt-get source $spec failed (network? deb-src line?)"
    return 1
  fi
  rm -rf "$dest.new"
  # apt-get already checked the files against the signed Release file;
  # dpkg-source would only warn that it has no Debian keyring to check with.
  if ! dpkg-source --no-check -x "$dl"/*.dsc "$dest.new" >/dev/null; then
    rm -rf "$dl" "$dest.new"
    debian_source_why="dpkg-source -x failed for $spec"
    return 2
  fi
  # dpkg-source leaves a copy of the upstream tarball beside DEST.
  rm -rf "$dl" "$(dirname "$dest")"/*.orig.tar.*
  rm -rf "$dest" && mv "$dest.new" "$dest"
}

debian_source_version() {
  # The .dsc's name in the URI, %-encoded (~ is %7e).
  apt-get source --print-uris -q "$1" 2>/dev/null |
    sed -n "s/.*'[^']*\/$1_\([^']*\)\.dsc'.*/\1/p" | tail -1 |
    sed 's/%7[eE]/~/g; s/%2[bB]/+/g; s/%3[aA]/:/g'
}
