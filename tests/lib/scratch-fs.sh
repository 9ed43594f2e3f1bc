#!/bin/bash
# scratch-fs.sh setup DIR [KEY=VALUE...] | cleanup DIR
#
# The ctest fixture behind every test that needs a real filesystem. setup
# makes, under DIR, loop-device filesystems that live for one ctest run:
#   DIR/xfs    XFS, 1 GiB sparse image
#   DIR/ext4   ext4, 512 MiB
#   DIR/small  ext4, 16 MiB (ENOSPC tests)
#   DIR/tmpfs  tmpfs
# and writes DIR/env (KEY=VALUE lines the tests read, see scratch_fs.h and
# test_main.cc), followed by the extra KEY=VALUE arguments.
# Where loop devices cannot be had (not root, none free), the variable names
# the reason instead of a path: WTROCKS_SCRATCH_XFS="SKIP: ...".
# Always `losetup -f`: other users of this machine may hold fixed devices.
set -u
cmd=${1:?setup|cleanup} dir=${2:?dir}

make_loop_fs() {  # name size mkfs...
  local name=$1 size=$2; shift 2
  local img="$dir/$name.img" mnt="$dir/$name" dev
  mkdir -p "$mnt"
  truncate -s "$size" "$img" || { echo "SKIP: cannot create $img"; return; }
  if ! dev=$(losetup -f --show "$img" 2>&1); then
    echo "SKIP: losetup failed: $dev"; return
  fi
  echo "$dev" >"$dir/$name.dev"
  if ! out=$("$@" "$dev" 2>&1); then
    echo "SKIP: $* failed: ${out##*$'\n'}"; return
  fi
  if ! out=$(mount "$dev" "$mnt" 2>&1); then
    echo "SKIP: mount failed: $out"; return
  fi
  echo "$mnt"
}

case "$cmd" in
setup)
  "$0" cleanup "$dir" >/dev/null 2>&1
  mkdir -p "$dir"
  if [ "$(id -u)" -ne 0 ]; then
    reason="SKIP: loop devices need root (uid $(id -u))"
    xfs=$reason ext4=$reason small=$reason
  else
    xfs=$(make_loop_fs xfs 1G mkfs.xfs -q -f)
    ext4=$(make_loop_fs ext4 512M mkfs.ext4 -q -F)
    small=$(make_loop_fs small 16M mkfs.ext4 -q -F)
  fi
  mkdir -p "$dir/tmpfs"
  if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=256m wtrocks-tmpfs "$dir/tmpfs" 2>/dev/null; then
    tmpfs="$dir/tmpfs"
  elif [ -d /dev/shm ]; then
    tmpfs=/dev/shm
  else
    tmpfs="SKIP: no tmpfs"
  fi
  {
    echo "WTROCKS_SCRATCH_XFS=$xfs"
    echo "WTROCKS_SCRATCH_EXT4=$ext4"
    echo "WTROCKS_SCRATCH_SMALL=$small"
    echo "WTROCKS_SCRATCH_TMPFS=$tmpfs"
    shift 2
    for kv in "$@"; do echo "$kv"; done
  } >"$dir/env"
  cat "$dir/env"
  ;;
cleanup)
  for name in xfs ext4 small; do
    mountpoint -q "$dir/$name" 2>/dev/null && umount -l "$dir/$name"
    if [ -f "$dir/$name.dev" ]; then
      losetup -d "$(cat "$dir/$name.dev")" 2>/dev/null
      rm -f "$dir/$name.dev"
    fi
    rm -f "$dir/$name.img"
  done
  mountpoint -q "$dir/tmpfs" 2>/dev/null && umount -l "$dir/tmpfs"
  rm -f "$dir/env"
  ;;
*) echo "usage: $0 setup|cleanup DIR" >&2; exit 2 ;;
esac
exit 0
