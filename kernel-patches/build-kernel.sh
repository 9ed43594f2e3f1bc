#!/bin/bash
# build-kernel.sh [--unpatched] [--config tiny|debug] [--out DIR] [--jobs N]
#
# Builds the guest kernel for the VM tests from Debian's linux-source-6.12:
# unpack, apply linux-6.12/series (unless --unpatched), tinyconfig + the
# fragments of the config (tiny: config/vm.config; debug: that plus
# config/debug.config: large folios, NUMA, PREEMPT, lockdep, KASAN, ...),
# check that every wanted symbol came out =y, bzImage.
# Result: DIR/bzImage (default <repo>/build/kernel/{patched,unpatched} for
# tiny, .../{patched,unpatched}-debug for debug) plus DIR/config and
# DIR/version (what was built, from which source).
#
# Cached by a hash of (source package version, series, patches, config,
# this script): an unchanged tree copies the cached bzImage instead of
# rebuilding. The cache lives in $WTROCKS_KERNEL_CACHE, default
# /var/cache/wtrocks-kernel (outside the checkout, so CI re-runs on the same
# machine are fast); if that is not writable, in DIR/../cache. A miss
# rebuilds incrementally in the kept tree of the last build when only the
# series (or this script) changed; WTROCKS_KERNEL_FRESH=1 forces a build
# from scratch. The version file says which ("built=").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
variant=patched config=tiny out="" jobs=${JOBS:-2}
while [ $# -gt 0 ]; do
  case "$1" in
  --unpatched) variant=unpatched ;;
  --config) config=${2:?--config needs tiny or debug}; shift ;;
  --out) out=${2:?--out needs a directory}; shift ;;
  --jobs) jobs=${2:?--jobs needs a number}; shift ;;
  -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
  *) echo "build-kernel.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
# The tiny pair keeps its historical names; other configs get a suffix.
case "$config" in
tiny) name=$variant fragments=(vm) ;;
debug) name=$variant-debug fragments=(vm debug) ;;
*) echo "build-kernel.sh: --config must be tiny or debug, got '$config'" >&2; exit 2 ;;
esac
out=${out:-$repo/build/kernel/$name}
src_tar=${WTROCKS_KERNEL_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
series_dir=$here/linux-6.12

die() { echo "build-kernel.sh: $*" >&2; exit 1; }
[ -r "$src_tar" ] || die "kernel source $src_tar missing: apt-get install linux-source-6.12"
for tool in make gcc flex bison bc xz tar patch sha256sum rsync; do
  command -v $tool >/dev/null || die "'$tool' not found: run scripts/install-deps.sh"
done
src_version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)

# The patches in series order; a listed file that is missing is an error, not
# a silently smaller kernel.
patches=()
if [ "$variant" = patched ]; then
  while read -r line; do
    line=${line%%#*}; line=${line//[[:space:]]/}
    [ -n "$line" ] || continue
    [ -f "$series_dir/$line" ] || die "series names '$line' but $series_dir/$line does not exist"
    patches+=("$series_dir/$line")
  done <"$series_dir/series"
fi
configs=()
for f in "${fragments[@]}"; do
  [ -f "$here/config/$f.config" ] || die "config fragment $here/config/$f.config missing"
  configs+=("$here/config/$f.config")
done

key=$( {
  echo "variant=$variant config=$config source=$src_version $(stat -c %s "$src_tar")"
  cat "$0" "${configs[@]}"
  [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"
} | sha256sum | cut -c1-16)

cache=${WTROCKS_KERNEL_CACHE:-/var/cache/wtrocks-kernel}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  cache=$(dirname "$out")/cache
  mkdir -p "$cache"
fi
mkdir -p "$out"

install_result() {
  cp "$cache/images/$key/bzImage" "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
  cp "$cache/images/$key/config" "$out/config"
  cp "$cache/images/$key/version" "$out/version"
  echo "build-kernel.sh: $name kernel $key -> $out/bzImage"
}

# Two ctest runs (or the patched and unpatched fixture) may race: one lock per
# variant, and the winner's result is reused by the loser.
exec 9>"$cache/lock-$name"
flock 9
if [ -f "$cache/images/$key/bzImage" ]; then
  install_result
  exit 0
fi

start=$(date +%s)
tree=$cache/tree-$name
# The sources for this key: Debian's tarball plus the series, unpacked
# apart. The tree of the last build of this variant and config keeps its
# objects; when it was built from the same tarball and config fragments
# (its .wtrocks-base), only the files whose content differs are copied
# into it, so make rebuilds what a changed patch touches (minutes on the
# debug config, where a build from scratch is 15-50 min). Anything else,
# or WTROCKS_KERNEL_FRESH=1, builds from scratch.
base=$( {
  echo "variant=$variant config=$config source=$src_version $(stat -c %s "$src_tar")"
  cat "${configs[@]}"
} | sha256sum | cut -c1-16)
fresh=$cache/src-$name.new
rm -rf "$fresh" "$fresh.files" "$tree.new"
mkdir -p "$fresh"
tar -xf "$src_tar" -C "$fresh" --strip-components=1
for p in "${patches[@]}"; do
  patch -d "$fresh" -p1 -s --no-backup-if-mismatch <"$p" ||
    die "$(basename "$p") does not apply to linux-source $src_version"
done
(cd "$fresh" && find . -type f | sort) >"$fresh.files"
gen_config() {  # DIR: tinyconfig + the fragments + olddefconfig
  make -C "$1" -s ARCH=x86_64 tinyconfig >/dev/null
  (cd "$1" && KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -O . .config "${configs[@]}" >/dev/null)
  make -C "$1" -s ARCH=x86_64 olddefconfig >/dev/null
}
if [ "${WTROCKS_KERNEL_FRESH:-0}" != 1 ] && [ -f "$tree/.wtrocks-base" ] &&
   [ "$(cat "$tree/.wtrocks-base")" = "$base" ]; then
  how="incremental, in the tree of the last $name build"
  echo "build-kernel.sh: building $name kernel $key in $tree (source $src_version; $how)"
  if [ -f "$tree/.wtrocks-files" ]; then
    comm -23 "$tree/.wtrocks-files" "$fresh.files" | (cd "$tree" && xargs -r rm -f --)
  fi
  # -c: same content, file untouched (mtime kept, so make leaves it alone).
  rsync -c -p --files-from="$fresh.files" "$fresh/" "$tree/"
  gen_config "$fresh"
  cmp -s "$fresh/.config" "$tree/.config" || cp "$fresh/.config" "$tree/.config"
  rm -rf "$fresh"
else
  how="from scratch"
  echo "build-kernel.sh: building $name kernel $key in $tree (source $src_version; $how)"
  rm -rf "$tree"
  mv "$fresh" "$tree"
  gen_config "$tree"
fi
mv "$fresh.files" "$tree/.wtrocks-files"
echo "$base" >"$tree/.wtrocks-base"

# merge_config only warns when a symbol does not survive; here it is fatal.
missing=()
while read -r sym; do
  grep -qx "$sym=y" "$tree/.config" || missing+=("$sym")
done < <(grep -ho '^CONFIG_[A-Za-z0-9_]*=y' "${configs[@]}" | cut -d= -f1 | sort -u)
while read -r sym; do
  ! grep -qx "$sym=y" "$tree/.config" || missing+=("$sym(should be off)")
done < <(grep -ho '^# CONFIG_[A-Za-z0-9_]* is not set' "${configs[@]}" | awk '{print $2}')
[ ${#missing[@]} -eq 0 ] || die "config symbols not as requested: ${missing[*]}"

log=$cache/build-$name.log
if ! make -C "$tree" ARCH=x86_64 -j"$jobs" bzImage >"$log" 2>&1; then
  grep -E 'error|Error' "$log" | head -30 >&2
  tail -20 "$log" >&2
  die "kernel build failed (full log: $log)"
fi
if grep -E '^[^ ]+:[0-9]+:[0-9]+: warning:' "$log" | grep -E '^(fs|include|io_uring|mm)/' >&2; then
  echo "build-kernel.sh: the warnings above are in code the series touches" >&2
fi

mkdir -p "$cache/images/$key.new"
cp "$tree/arch/x86/boot/bzImage" "$cache/images/$key.new/bzImage"
cp "$tree/.config" "$cache/images/$key.new/config"
{
  echo "variant=$variant"
  echo "config=$config"
  echo "source=linux-source-6.12 $src_version ($(make -C "$tree" -s kernelversion))"
  echo "patches=${#patches[@]}"
  echo "key=$key"
  echo "built=$how"
  echo "build_seconds=$(($(date +%s) - start))"
} >"$cache/images/$key.new/version"
rm -rf "$cache/images/$key"
mv "$cache/images/$key.new" "$cache/images/$key"
# Keep the tree for the next incremental debugging session, but only one per
# variant; old images are small and are kept.
install_result
cat "$out/version"
