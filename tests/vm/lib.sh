# Sourced by the scripts that run inside the VM (kernel-patches/vm-run.sh).
# $1 of every script is the build directory holding the wt_* tools.
set -uo pipefail
export PATH=/usr/sbin:/sbin:$PATH
B=${1:?usage: $0 BUILD_DIR}
[ -x "$B/wt_io" ] || { echo "no wt_io in $B: build the project first"; exit 1; }

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "[  SKIPPED ] $*"; exit 77; }
pass() { echo "ok: $*"; }

# mkfs + mount; the XFS log is kept small so replays and copies stay cheap.
mkxfs() {
  mkfs.xfs -q -f "$1" >/dev/null || fail "mkfs.xfs $1"
  mkdir -p "$2" && mount -t xfs "$1" "$2" || fail "mount $1 on $2"
}
mkext4() {
  mkfs.ext4 -q -F "$1" >/dev/null || fail "mkfs.ext4 $1"
  mkdir -p "$2" && mount -t ext4 "$1" "$2" || fail "mount $1 on $2"
}

# Physical byte offset of the first extent of FILE on its device.
phys_offset() {
  xfs_io -r -c "fiemap" "$1" | awk 'NR==2 { split($3, a, "[.][.]"); print a[1] * 512; exit }'
}

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
