#!/bin/bash
# vm-run.sh [options] -- COMMAND [ARG...]
#
# Boots our 6.12 kernel under QEMU, runs COMMAND as root in the guest and
# exits with COMMAND's exit status; COMMAND's stdout+stderr are printed on
# stdout after the guest is gone. A kernel panic, a hung task, a timeout, or
# a kernel BUG/WARNING/Oops on the console is a failure (exit 124 for a
# timeout, otherwise 125 unless COMMAND itself failed) and the console log is
# printed on stderr. See README.md ("vm-run.sh") for what the guest sees.
#
# Options:
#   --unpatched       boot build/kernel/unpatched/bzImage (default: patched)
#   --kernel FILE     boot this bzImage instead
#   --nvme            scratch disks are NVMe (default; QEMU's NVMe passes FUA)
#   --virtio          scratch disks are virtio-blk (FUA emulated with a flush)
#   --disk SIZE       add a sparse scratch disk (repeatable; default: one 2G)
#   --share DIR       host DIR is writable in the guest at $WT_SHARE
#   --timeout S       whole-VM timeout in seconds (default 300)
#   --mem SIZE        guest memory (default 1G)
#   --numa N          split memory and vCPUs over N NUMA nodes (ACPI SRAT;
#                     the guest kernel needs CONFIG_NUMA: the debug config)
#   --cache MODE      QEMU disk cache mode (default writeback: guest flushes
#                     and FUA writes reach the host's disk; unsafe = faster)
#   --keep-console F  also copy the console log to F
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
variant=patched kernel="" bus=nvme share="" timeout=300 mem=1G cache=writeback keep="" numa=1
disks=()
die() { echo "vm-run.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
  --unpatched) variant=unpatched ;;
  --kernel) kernel=${2:?--kernel needs a file}; shift ;;
  --nvme) bus=nvme ;;
  --virtio) bus=virtio ;;
  --disk) [[ ${2:-} =~ ^[0-9]+[KMGT]?$ ]] || die "--disk needs a size like 512M or 2G, got '${2:-}'"
          disks+=("$2"); shift ;;
  --share) share=${2:?--share needs a directory}; shift
           [ -d "$share" ] || die "--share '$share' is not a directory" ;;
  --timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || die "--timeout needs seconds, got '${2:-}'"
             timeout=$2; shift ;;
  --mem) [[ ${2:-} =~ ^[0-9]+[MG]$ ]] || die "--mem needs a size like 1G or 1536M, got '${2:-}'"
         mem=$2; shift ;;
  --numa) [[ ${2:-} =~ ^[12]$ ]] || die "--numa needs 1 or 2 (one node per vCPU at most), got '${2:-}'"
          numa=$2; shift ;;
  --cache) case ${2:-} in writeback | unsafe | none | writethrough | directsync) ;;
           *) die "--cache must be writeback|unsafe|none|writethrough|directsync, got '${2:-}'" ;; esac
           cache=$2; shift ;;
  --keep-console) keep=${2:?--keep-console needs a file}; shift ;;
  -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
  --) shift; break ;;
  *) die "unknown option '$1' (COMMAND goes after --; see --help)" ;;
  esac
  shift
done
[ $# -gt 0 ] || die "no COMMAND given (usage: vm-run.sh [options] -- COMMAND...)"
[ ${#disks[@]} -gt 0 ] || disks=(2G)
kernel=${kernel:-${WTROCKS_KERNEL_DIR:-$repo/build/kernel}/$variant/bzImage}
[ -r "$kernel" ] || die "no kernel at $kernel: run kernel-patches/build-kernel.sh$([ $variant = unpatched ] && echo ' --unpatched')"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: apt-get install qemu-system-x86"

# KVM only when it really works (here /dev/kvm exists but the CPU has no
# vmx/svm); otherwise TCG with -cpu max, which gives RDRAND (mkfs.xfs would
# otherwise wait for entropy).
accel=(-accel tcg -cpu max)
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
  accel=(-accel kvm -cpu host)
fi

ctl=$(mktemp -d "${TMPDIR:-/tmp}/wtvm.XXXXXX") || die "mktemp failed"
qpid=""
cleanup() {
  [ -n "$qpid" ] && kill "$qpid" 2>/dev/null
  rm -rf "$ctl"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The job: environment and the command, quoted so that any argument survives.
{
  echo "export WT_VM=1 WT_KERNEL=$variant WT_DISK_BUS=$bus"
  printf 'export PATH=%q\n' "$PATH"
  printf 'export WT_HOST_PWD=%q\n' "$PWD"
  # Pass the project's own settings through (WTROCKS_*, WT_*).
  env | grep -E '^(WTROCKS|WT)_[A-Za-z0-9_]*=' | grep -vE '^WT_(VM|KERNEL|DISK|SHARE|TMP)' |
    while IFS='=' read -r k v; do printf 'export %s=%q\n' "$k" "$v"; done
  printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
  printf '%q ' "$@"; echo
} >"$ctl/job"

drives=()
i=0
for size in "${disks[@]}"; do
  truncate -s "$size" "$ctl/disk$i.img" || die "cannot create a $size disk image in $ctl"
  if [ "$bus" = nvme ]; then
    drives+=(-drive "file=$ctl/disk$i.img,if=none,id=d$i,format=raw,cache=$cache,aio=threads"
             -device "nvme,serial=wtdisk$i,drive=d$i")
  else
    drives+=(-drive "file=$ctl/disk$i.img,if=virtio,format=raw,cache=$cache")
  fi
  i=$((i + 1))
done
echo "$i" >"$ctl/ndisks"
# The guest mounts a tmpfs over /tmp; host directories under /tmp that the
# job needs (a checkout cloned there, as CI may do, and the working
# directory) are bound back over it by vm-init.sh.
for p in "$here/.." "$PWD" "$@"; do
  case "$p" in /tmp/?*) (cd "$p" 2>/dev/null && pwd) || dirname "$p" ;; esac
done | sort -u >"$ctl/keep"
shares=(-virtfs "local,path=$ctl,mount_tag=wtctl,security_model=none")
[ -n "$share" ] && shares+=(-virtfs "local,path=$(cd "$share" && pwd),mount_tag=wtshare,security_model=none")

# NUMA: equal memory per node, one vCPU each (the guest sees two nodes in
# its SRAT, so the page allocator, memcg and slab take their NUMA paths).
# One socket per vCPU: two cores of one socket share a last-level cache,
# and a shared cache across nodes is a topology the scheduler WARN()s about.
numaopts=() smp=2
if [ "$numa" -gt 1 ]; then
  smp=2,sockets=2,cores=1,threads=1
  mb=${mem%[MG]}
  [ "${mem: -1}" = G ] && mb=$((mb * 1024))
  for ((n = 0; n < numa; n++)); do
    numaopts+=(-object "memory-backend-ram,id=mem$n,size=$((mb / numa))M"
               -numa "node,nodeid=$n,cpus=$n,memdev=mem$n")
  done
fi

# loglevel=5 instead of quiet: lockdep reports and WARN()s are printed at
# KERN_WARNING, which `quiet` (loglevel 4) keeps off the console.
# no_timer_check: under TCG on a loaded host the boot-time check that the
# 8254 timer ticks through the IO-APIC can miss ticks and panic ("IO-APIC +
# timer doesn't work"; seen at load 12); KVM guests skip it the same way.
# noirqdebug: without MSI (tinyconfig) the NVMe and virtio devices share
# INTx line 11, and under TCG the spurious-IRQ detector would disable it
# after a burst, leaving NVMe I/O to crawl on timeouts.
append="console=ttyS0 loglevel=5 panic=-1 i8042.noaux noirqdebug no_timer_check root=root rootfstype=9p"
append+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro"
append+=" init=$here/vm-init.sh"
# A KASAN+lockdep kernel (the debug config, seen from the config file
# build-kernel.sh puts beside the bzImage) interprets ACPI's AML so slowly
# under TCG that the PCI interrupt routing method (_PRT) hits ACPICA's 30 s
# loop timeout for every device: 100 s of boot and devices with no IRQ.
# acpi=noirq routes PCI interrupts from the BIOS's $PIR table instead.
if grep -qx 'CONFIG_KASAN=y' "$(dirname "$kernel")/config" 2>/dev/null; then
  append+=" acpi=noirq"
fi

start=$(date +%s)
qemu-system-x86_64 "${accel[@]}" -m "$mem" -smp "$smp" "${numaopts[@]}" -nodefaults -display none \
  -no-reboot -monitor none -serial "file:$ctl/console.log" \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -kernel "$kernel" -append "$append" \
  -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
  "${shares[@]}" "${drives[@]}" </dev/null >"$ctl/qemu.out" 2>&1 &
qpid=$!

timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
  if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
    timed_out=1
    kill "$qpid" 2>/dev/null
    break
  fi
  sleep 0.2
done
wait "$qpid"
qrc=$?
qpid=""
elapsed=$(($(date +%s) - start))

[ -f "$ctl/output" ] && cat "$ctl/output"
[ -n "$keep" ] && cp "$ctl/console.log" "$keep"

# What makes a kernel's console (or its final dmesg, which also holds what
# the console level hid) a failed test: panics, oopses, BUG (KASAN reports
# are "BUG: KASAN: ..."), WARN()s and lockdep reports ("WARNING: possible
# circular locking dependency detected"), UBSAN, XFS assertions, hung tasks.
splat='BUG:|WARNING:|Oops|Kernel panic|blocked for more than|Call Trace:|UBSAN:|XFS: Assertion failed|general protection fault|INFO: possible|INFO: trying to register non-static key'
fail() {
  echo "vm-run.sh: $1 ($variant kernel, ${elapsed}s); console log:" >&2
  # The first splat in full (lockdep and KASAN reports are long), then the
  # end of the console.
  local first
  first=$(cat "$ctl/console.log" "$ctl/dmesg" 2>/dev/null | grep -nE "$splat" | head -1 | cut -d: -f1)
  if [ -n "$first" ]; then
    echo "----- first kernel report (console + final dmesg, from line $first) -----" >&2
    cat "$ctl/console.log" "$ctl/dmesg" 2>/dev/null | sed -n "$((first > 5 ? first - 5 : 1)),$((first + 120))p" >&2
  fi
  echo "----- console (last 200 lines) -----" >&2
  tail -n 200 "$ctl/console.log" >&2
  echo "----- qemu -----" >&2
  cat "$ctl/qemu.out" >&2
  exit "$2"
}
[ "$timed_out" = 1 ] && fail "timed out after ${timeout}s" 124
# isa-debug-exit makes QEMU exit with (code << 1) | 1; an even status means
# the guest rebooted (panic=-1) or QEMU itself failed.
if [ $((qrc & 1)) -eq 0 ] || [ ! -f "$ctl/rc" ]; then
  fail "the guest did not finish the command (qemu status $qrc: panic, reboot or QEMU error)" 125
fi
rc=$(cat "$ctl/rc")
[ $((rc & 127)) -eq $((qrc >> 1)) ] || fail "exit status mismatch: rc file $rc, debug-exit $((qrc >> 1))" 125
# A kernel that warned or oopsed has failed the test even if the command
# did not notice.
if cat "$ctl/console.log" "$ctl/dmesg" 2>/dev/null | grep -qE "$splat"; then
  [ "$rc" -ne 0 ] || rc=125
  fail "kernel reported a problem on the console (command status $(cat "$ctl/rc"))" "$rc"
fi
exit "$rc"
