#!/bin/bash
# PID 1 of the guest booted by vm-run.sh (the host's root is the guest's
# root, read-only over 9p). Sets up the few writable places a test needs,
# runs the job vm-run.sh left in the control share, stores its output and
# status there and powers off through isa-debug-exit. If anything here
# dies, the kernel panics ("attempted to kill init"), which vm-run.sh
# reports as a failure with the console log.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
# The root is read-only: everything a command may write lives on tmpfs.
# The host's /tmp stays reachable at /run/host-tmp, so that host paths under
# /tmp the job needs can be bound back (see vm-run.sh, $ctl/keep).
mount -t tmpfs -o mode=1777 tmpfs /run
mkdir -p /run/host-tmp && mount --bind /tmp /run/host-tmp
for d in /tmp /var/tmp; do mount -t tmpfs -o mode=1777 tmpfs $d; done
mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /dev/shm
opts=trans=virtio,version=9p2000.L,msize=262144
mkdir -p /tmp/wtctl && mount -t 9p -o $opts wtctl /tmp/wtctl
ctl=/tmp/wtctl
while read -r p; do
  [ -n "$p" ] && [ -d "/run/host-tmp/${p#/tmp/}" ] || continue
  mkdir -p "$p" && mount --bind "/run/host-tmp/${p#/tmp/}" "$p"
done <$ctl/keep

# A write-through bug typically shows up as a task stuck in D state: make
# that a panic (and so a failed test) after 60 s instead of a silent timeout.
echo 60 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo 1 >/proc/sys/kernel/hung_task_panic 2>/dev/null

export WT_TMP=/tmp
if mkdir -p /tmp/share && mount -t 9p -o $opts wtshare /tmp/share 2>/dev/null; then
  export WT_SHARE=/tmp/share
else
  rmdir /tmp/share
fi

# Scratch disks, in the order vm-run.sh was given --disk options.
n=$(cat $ctl/ndisks)
disks=()
for ((i = 0; i < n; i++)); do
  if [ "$(grep -o 'WT_DISK_BUS=[a-z]*' $ctl/job)" = WT_DISK_BUS=nvme ]; then
    dev=/dev/nvme${i}n1
  else
    dev=/dev/vd$(printf "\\x$(printf %02x $((97 + i)))")
  fi
  for _ in $(seq 100); do [ -b $dev ] && break; sleep 0.05; done
  disks+=($dev)
  export WT_DISK$i=$dev
done
export WT_DISKS="${disks[*]}"
# dmsetup without udev (there is none in the guest).
export DM_DISABLE_UDEV=1

bash $ctl/job >$ctl/output 2>&1 </dev/null
rc=$?
echo $rc >$ctl/rc
# The whole kernel log, whatever the console level let through: vm-run.sh
# fails the test on a warning or report in it.
dmesg >$ctl/dmesg 2>/dev/null
sync
[ -n "${WT_SHARE:-}" ] && umount /tmp/share
umount /tmp/wtctl
# QEMU exits with (value << 1) | 1; keep the value in 7 bits so that the
# status cannot wrap to an even (= failure) number.
printf "\\x$(printf %02x $((rc & 127)))" | dd of=/dev/port bs=1 seek=244 count=1 conv=notrunc status=none
echo "vm-init: isa-debug-exit did not stop the VM" >&2
sleep 5
