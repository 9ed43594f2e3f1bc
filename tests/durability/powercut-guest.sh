#!/bin/bash
# powercut-guest.sh BUILD_DIR MODE POINTS SECONDS SEED
#                   [control|async|server|server-control|torntail|torntail-all
#                    |recycled|server-recycled]
#
# Runs INSIDE the VM (started by powercut.sh through kernel-patches/vm-run.sh
# with two disks: $WT_DISK0 data, $WT_DISK1 log). Power-cut scenario:
#   1. XFS on dm-log-writes(data, log); dur_workload writes RocksDB through
#      MODE and, after each acknowledged write, appends the ack to
#      /tmp/acks and a mark "a:W:SEQ" to the dm-log-writes log;
#   2. the log is replayed onto a sparse image in tmpfs one chosen
#      durability point (FLUSH or FUA entry) at a time, in log order; at
#      each point a copy is loop-mounted (XFS log recovery included) and
#      the oracle checks that every write whose ack mark precedes the point
#      is present and intact, in per-writer prefix order.
# Points: POINTS of the FLUSH/FUA entries after the workload's start mark,
# spread evenly over the run, always including the last entry of the log.
# `control` is the negative control: the workload writes with sync=false
# and acknowledges anyway, so some replayed point must show lost writes;
# it passes only if one does (proof that the check can fail).
# `async` commits through KvDb::WriteAsync (8 in flight per writer) and
# marks each ack from its durability callback: the scenario for async
# durable commits, and the one where a hole across a WAL switch would show
# as `reordered` (engine/README.md, "WAL order across files").
# `server` runs `wtkv serve --mode MODE --unix /tmp/wtkv.sock` on the
# log-writes XFS (the guest kernel has no INET: a Unix socket) and
# dur_workload as its client: 4 connections, 8 MSETs pipelined on each, an
# ack (and its mark) per +OK received; then SIGKILL, and the same replay.
# `server-control` is its negative control: `--durability=async` replies
# before the write is durable, so some replayed point must lose an ack.
# `recycled` and `server-recycled` are the plain and the server scenario
# with RocksDB's recycled WALs (recycle_log_file_num=2, 64 KiB memtables so
# that WALs roll within seconds): WAL writes then overwrite old WAL blocks,
# the fast path of writethrough (FUA, no log force). They fail unless the
# DB's LOG shows a reused WAL, so they never pass on appends alone. The
# check recovers in point-in-time mode, as KvDb does (engine/kv/kv_db.cc).
# `torntail` is the power cut in the middle of a WAL write: POINTS
# FLUSH/FUA entries among the acks (not after the last), and at each the
# first later logged write into a WAL file's extents is torn (wt_logwrites
# tear): its first 512 B with the rest zeros where it would change a
# sector, and its first min(4 KiB, half) with the rest old; `torntail-all` makes
# all four (both prefixes x both fills). The intact point and each torn
# image are opened in all four wal_recovery_modes, each on its own copy,
# through MODE's FileSystem and (for wtrocks modes) through the default
# FileSystem on the same bytes as the reference. Fails on any lost,
# corrupted, reordered or unexpected write where MODE's FileSystem opens,
# and where it fails to open bytes the reference opens. One summary line
# per recovery mode.
# Exit 0 pass, 1 fail, 77 MODE unsupported on this kernel/filesystem.
set -uo pipefail
export PATH=/usr/sbin:/sbin:$PATH
B=${1:?build dir} mode=${2:?mode} npoints=${3:?points} secs=${4:?seconds} seed=${5:?seed}
variant=${6:-} control=""
extra=() vextra=() scenario=powercut serve=() recycle=0
case $variant in
"") ;;
control) control=control extra=(--unsafe_nosync) scenario=powercut-control ;;
async) extra=(--async --inflight=8) vextra=(--inflight=8) scenario=powercut-async ;;
server) serve=(--durability=durable) vextra=(--inflight=8) scenario=powercut-server ;;
server-control)
  control=control serve=(--durability=async) vextra=(--inflight=8)
  scenario=powercut-server-control ;;
recycled)
  recycle=1 extra=(--recycle_wals=2 --write_buffer=65536)
  vextra=(--write_buffer=65536) scenario=powercut-recycled ;;
server-recycled)
  recycle=1 serve=(--durability=durable --recycle-wals 2 --write-buffer-size 65536)
  vextra=(--inflight=8 --write_buffer=65536)
  scenario=powercut-server-recycled ;;
torntail | torntail-all)
  scenario=torntail vextra=(--wal_recovery_mode=all --reference) ;;
*) echo "FAIL: unknown variant '$variant' (control, async, server, server-control, torntail, torntail-all, recycled or server-recycled)"; exit 1 ;;
esac
W=$B/dur_workload LW=$B/wt_logwrites
data=${WT_DISK0:?no data disk} log=${WT_DISK1:?no log disk}
fail() { echo "FAIL: $*"; exit 1; }
t0=$(date +%s)
phase() { echo "  [$(( $(date +%s) - t0 ))s $(date -u +%T)] $*"; }
for t in "$W" "$LW"; do [ -x "$t" ] || fail "$t missing: build dur_workload and wt_logwrites"; done
[ ${#serve[@]} -eq 0 ] || [ -x "$B/wtkv" ] || fail "$B/wtkv missing: build wtkv"

sz=$(blockdev --getsz "$data")
dmsetup create lw --table "0 $sz log-writes $data $log" || fail "dmsetup create log-writes"
# A small XFS log keeps replays and copies cheap.
mkfs.xfs -q -f -l size=4m /dev/mapper/lw >/dev/null 2>&1 ||
  mkfs.xfs -q -f /dev/mapper/lw >/dev/null || fail "mkfs.xfs on the log-writes device"
mkdir -p /tmp/mnt && mount -t xfs /dev/mapper/lw /tmp/mnt || fail "mount the log-writes device"
out=$("$W" probe /tmp/mnt "$mode")
case $? in
0) ;;
77) umount /tmp/mnt; dmsetup remove lw; echo "[  SKIPPED ] $out"; exit 77 ;;
*) fail "probe: $out" ;;
esac

mkdir -p /tmp/log
# What auto resolves to here (empty for the explicit modes).
resolved=$(echo "$out" | sed -n 's/^auto chooses //p')
phase "mkfs+mount+probe done${resolved:+ (auto chooses $resolved)}"
if [ ${#serve[@]} -gt 0 ]; then
  sock=/tmp/wtkv.sock
  "$B/wtkv" --db /tmp/mnt/db --mode "$mode" serve --unix "$sock" "${serve[@]}" \
    >/tmp/log/serve.log 2>&1 &
  spid=$!
  # The client's start mark after the server's DB is open, so that the
  # sampled points fall among the writes, not in the DB's creation.
  for _ in $(seq 600); do
    [ -S "$sock" ] && break
    kill -0 "$spid" 2>/dev/null || { cat /tmp/log/serve.log; fail "wtkv serve did not start"; }
    sleep 0.1
  done
  "$W" run --server=unix:$sock --acklog=/tmp/acks --writers=4 --inflight=8 \
    --seed="$seed" --seconds="$secs" --dm_mark=lw
  rc=$?
  # The server must still be up: SIGKILL it, as a crash would (no clean
  # close: recovery is the WAL's).
  kill -0 "$spid" 2>/dev/null || { cat /tmp/log/serve.log; fail "wtkv serve died during the run"; }
  kill -9 "$spid"
  wait "$spid" 2>/dev/null
  [ "$rc" -eq 0 ] || { cat /tmp/log/serve.log; fail "client of wtkv serve (mode $mode seed $seed) exited $rc"; }
  phase "wtkv serve killed: $(head -1 /tmp/log/serve.log)"
else
  # WTROCKS_STATS: the stats line (wal_order_waits among it) goes to the log.
  WTROCKS_STATS=stderr "$W" run --db=/tmp/mnt/db --acklog=/tmp/acks --mode="$mode" --writers=4 \
    --seed="$seed" --seconds="$secs" --dm_mark=lw --info_log_dir=/tmp/log "${extra[@]}" ||
    fail "workload (mode $mode seed $seed) exited $?"
fi
if [ "$recycle" = 1 ]; then
  # RocksDB logs "reusing log N from recycle list" when a new WAL takes an
  # old file (the server's LOG is in the DB, the workload's in /tmp/log).
  reused=$(cat /tmp/mnt/db/LOG /tmp/log/*LOG 2>/dev/null | grep -c 'reusing log ')
  [ "$reused" -gt 0 ] || fail "no WAL was recycled (mode $mode seed $seed): the run wrote appends only"
  phase "WAL files reused: $reused"
fi
umount /tmp/mnt || fail "umount"
dmsetup remove lw || fail "dmsetup remove"

phase "workload done"
"$LW" points "$log" >/tmp/points || fail "reading the log"
start=$(awk '$2 == "mark" && $3 == "start" { print $1; exit }' /tmp/points)
[ -n "$start" ] || fail "no start mark in the log"
final=$("$LW" list "$log" | awk 'END { print $1 }')
acks=$(awk '$2 == "mark" && $3 ~ /^a:/' /tmp/points | wc -l)
# Evenly spaced FLUSH/FUA entries after the start mark, then the last entry.
# torntail: only those among the acks (before the last ack mark), where a
# WAL write follows, each strictly inside (the k-th at k*c/(n+1)).
lastack=$(awk '$2 == "mark" && $3 ~ /^a:/ { l = $1 } END { print l + 0 }' /tmp/points)
awk -v s="$start" -v e="$([ "$scenario" = torntail ] && echo "$lastack" || echo -1)" \
  '$1 > s && (e < 0 || $1 < e) && ($2 == "flush" || $2 == "fua") { print $1 }' /tmp/points >/tmp/cands
ncand=$(wc -l </tmp/cands)
[ "$ncand" -gt 0 ] || fail "no FLUSH/FUA entry after the start mark ($acks acks)"
if [ "$scenario" = torntail ]; then
  awk -v n="$npoints" -v c="$ncand" '{ a[NR] = $1 } END {
      for (k = 1; k <= n; k++) { i = int(k * c / (n + 1)); if (i >= 1) print a[i] }
    }' /tmp/cands | sort -nu >/tmp/sel
  "$LW" list "$log" >/tmp/list || fail "listing the log"
else
  # n-1 candidates evenly spaced (the k-th at ceil(k*c/(n-1))), the last
  # candidate included; then the final log entry.
  awk -v n="$npoints" -v c="$ncand" '{ a[NR] = $1 } END {
      m = n - 1; if (m < 1) m = 1
      for (k = 1; k <= m; k++) { i = int((k * c + m - 1) / m); if (i >= 1) print a[i] }
    }' /tmp/cands | sort -nu >/tmp/sel
fi
# The final entry (after the DB's close) is the plain power cut's check.
[ "$scenario" = torntail ] || echo "$final" >>/tmp/sel
echo "powercut: scenario=$scenario mode=$mode${resolved:+ auto_chooses=$resolved} seed=$seed acks=$acks log_entries=$((final + 1)) flush_fua_points=$ncand checking=$(sort -nu /tmp/sel | wc -l)"

truncate -s $((sz * 512)) /tmp/replay.img
if [ "$scenario" = torntail ]; then
  # wt_logwrites lists sectors of the log's size, xfs_io bmap 512-byte units.
  [ "$(blockdev --getss "$data")" = 512 ] || fail "torntail assumes 512-byte sectors, $data has $(blockdev --getss "$data")"
  rmodes="tolerate_corrupted_tail_records absolute_consistency point_in_time_recovery skip_any_corrupted_records"
  declare -A imgs op rop both lost_r corr_r reord_r unexp_r
  for r in $rmodes; do imgs[$r]=0 op[$r]=0 rop[$r]=0 both[$r]=0 lost_r[$r]=0 corr_r[$r]=0 reord_r[$r]=0 unexp_r[$r]=0; done
  maxchecked=0 torn=0 torn_in_size=0 notear=0 zeroed=0
  # wal_extents: the extents of the WAL files on /tmp/mnt, preallocated ones
  # past the size included, to /tmp/walext: "first last file_first size"
  # (first, last, file_first in 512-byte units).
  wal_extents() {
    : >/tmp/walext
    for f in /tmp/mnt/db/*.log; do
      [ -f "$f" ] || continue
      xfs_io -r -c "bmap -vp" "$f" | awk -v sz="$(stat -c %s "$f")" '
        $1 ~ /^[0-9]+:$/ && $3 != "hole" { split($2, fo, /[][.:]+/); split($3, b, /\.\./); print b[1], b[2], fo[2], sz }' >>/tmp/walext
    done
  }
  # extents_at IMG: wal_extents of a copy of IMG (the mount recovers XFS's log).
  extents_at() {
    local loop
    cp --sparse=always "$1" /tmp/ext.img
    loop=$(losetup -f --show /tmp/ext.img) || fail losetup
    mount -t xfs "$loop" /tmp/mnt || fail "$1 (mode $mode seed $seed) does not mount"
    wal_extents
    umount /tmp/mnt || fail "umount"
    losetup -d "$loop"
    rm -f /tmp/ext.img
  }
  # check_image IMG ACKED LABEL [walext]: mount IMG, optionally record the
  # WAL files' extents (wal_extents), open it in the four recovery modes
  # (each on its own copy, with the reference), tally the "recovery:" lines.
  check_image() {
    local img=$1 acked=$2 label=$3 loop out rc line fs r o c
    loop=$(losetup -f --show "$img") || fail losetup
    mount -t xfs "$loop" /tmp/mnt || fail "$label (mode $mode seed $seed) does not mount"
    [ -z "${4:-}" ] || wal_extents
    out=$("$W" verify --db=/tmp/mnt/db --acklog="$acked" --mode="$mode" --info_log_dir=/tmp/log "${vextra[@]}" 2>&1)
    rc=$?
    umount /tmp/mnt || fail "umount check image"
    losetup -d "$loop"
    if [ "$rc" -ne 0 ]; then
      echo "$out"
      echo "durability: scenario=$scenario mode=$mode points=${n:-0} acked_checked=$maxchecked lost=? corrupted=? reordered=? unexpected=? seed=$seed result=FAIL"
      fail "$label: the oracle exited $rc (mode $mode seed $seed): a loss where $mode opens, or $mode fails where the reference opens"
    fi
    line="" seen=0
    while read -r line; do
      [ -n "$line" ] || continue
      seen=1
      fs=$(echo "$line" | grep -o 'fs=[a-z]*' | cut -d= -f2)
      r=$(echo "$line" | grep -o 'wal_recovery_mode=[a-z_]*' | cut -d= -f2)
      o=$(echo "$line" | grep -o 'opened=[01]' | cut -d= -f2)
      if [ "$fs" = reference ]; then
        # Only after the tested FileSystem failed to open: both fail, the
        # image's (reported); the reference opens, the oracle failed above.
        rop[$r]=$((rop[$r] + o))
        [ "$o" = 0 ] && both[$r]=$((both[$r] + 1))
        continue
      fi
      imgs[$r]=$((imgs[$r] + 1)) op[$r]=$((op[$r] + o))
      if [ "$o" = 0 ]; then
        # These two modes stop at (or skip) a torn tail by design: a crash
        # image they cannot open has damage before the tail, whatever the
        # reference says.
        case $r in point_in_time_recovery | skip_any_corrupted_records)
          echo "$out"
          fail "$label: $mode does not open in $r (mode $mode seed $seed)" ;;
        esac
        continue
      fi
      for k in lost corrupted reordered unexpected checked; do
        eval "$k=\$(echo \"\$line\" | grep -o ' $k=[0-9]*' | cut -d= -f2)"
      done
      lost_r[$r]=$((lost_r[$r] + lost)) corr_r[$r]=$((corr_r[$r] + corrupted))
      reord_r[$r]=$((reord_r[$r] + reordered)) unexp_r[$r]=$((unexp_r[$r] + unexpected))
      [ "$checked" -gt "$maxchecked" ] && maxchecked=$checked
    done <<<"$(echo "$out" | grep '^recovery: ')"
    [ "$seen" = 1 ] || { echo "$out"; fail "$label: no recovery lines from the oracle"; }
    echo "  $label: $(echo "$out" | grep '^recovery: ' | awk '{ printf "%s/%s:%s ", substr($2, 4, 3), substr($3, 19, 5), $4 }')"
  }
  # acked_before ENTRY FILE: the acks whose marks precede ENTRY.
  acked_before() {
    awk -v p="$1" '$1 < p && $2 == "mark" && $3 ~ /^a:/ { split($3, f, ":"); printf "%s %s\n", f[2], f[3] }' /tmp/points >"$2"
  }
  last=-1 n=0
  for p in $(sort -nu /tmp/sel); do
    phase "point $p"
    "$LW" replay "$log" /tmp/replay.img $((last + 1)) "$p" >/dev/null || fail "replay to entry $p"
    last=$p
    acked_before "$p" /tmp/acked
    cp --sparse=always /tmp/replay.img /tmp/check.img
    check_image /tmp/check.img /tmp/acked "entry $p (intact)" walext
    n=$((n + 1))
    # The first later write into a WAL file's extents (preallocated ones
    # included), of 2 sectors or more: the power cut lands in it.
    # (No process substitution: the guest has no /dev/fd.)
    read -r ent sec nr <<<"$(awk -v p="$p" 'NR == FNR { s[m] = $1; e[m] = $2; m++; next }
        $1 > p && $2 != "mark" && $2 !~ /discard/ && $4 >= 2 {
          for (i = 0; i < m; i++) if ($3 <= e[i] && $3 + $4 - 1 >= s[i]) { print $1, $3, $4; exit } }' /tmp/walext /tmp/list)"
    if [ -z "${ent:-}" ]; then
      notear=$((notear + 1))
      echo "  entry $p: no later write into a WAL file's extents ($(wc -l </tmp/walext) extents)"
      continue
    fi
    cp --sparse=always /tmp/replay.img /tmp/tbase.img
    if [ "$ent" -gt $((p + 1)) ]; then
      "$LW" replay "$log" /tmp/tbase.img $((p + 1)) $((ent - 1)) >/dev/null || fail "replay to entry $((ent - 1))"
      # Entries up to E-1 may have committed a larger size (a log force
      # after p): the sizes that count are those just before E.
      extents_at /tmp/tbase.img
    fi
    # Sectors of that write that lie inside a WAL file's size before E
    # (insz), and how far from its start they reach (keep): an append
    # rewrites the block that holds the file's end, whose bytes before the
    # end are stable and never zeroed.
    read -r insz keep <<<"$(awk -v a="$sec" -v nr="$nr" '{ for (x = a; x < a + nr; x++) if (x >= $1 && x <= $2 && (x - $1 + $3) * 512 < $4) { c++; if (x - a + 1 > k) k = x - a + 1 } } END { print c + 0, k + 0 }' /tmp/walext)"
    acked_before "$ent" /tmp/acked_t
    half=$((nr / 2)); [ "$half" -gt 8 ] && half=8
    if [ "$variant" = torntail-all ]; then
      tears="1:old 1:zero $half:old $half:zero"
    else
      tears="1:zero $half:old"
    fi
    for tr in $tears; do
      pre=${tr%:*} fill=${tr#*:}
      cp --sparse=always /tmp/tbase.img /tmp/check.img
      t=$("$LW" tear "$log" /tmp/check.img "$ent" "$pre" "$fill" "$keep") || fail "tear entry $ent"
      torn=$((torn + 1)) zeroed=$((zeroed + $(echo "$t" | sed -n 's/.*zeroed=\([0-9]*\).*/\1/p')))
      [ "$insz" -gt 0 ] && torn_in_size=$((torn_in_size + 1))
      check_image /tmp/check.img /tmp/acked_t "entry $ent after $p, $t $fill, $insz of $nr sectors inside a WAL's size"
    done
    rm -f /tmp/tbase.img /tmp/check.img
  done
  rm -f /tmp/check.img
  for r in $rmodes; do
    if [ "$mode" = default ]; then
      ref="reference=self"
    else
      ref="ref_opened_where_${mode}_failed=${rop[$r]} both_failed=${both[$r]}"
    fi
    echo "durability: scenario=torntail mode=$mode points=$n acked_checked=$maxchecked lost=${lost_r[$r]} corrupted=${corr_r[$r]} reordered=${reord_r[$r]} unexpected=${unexp_r[$r]} wal_recovery_mode=$r images=${imgs[$r]} opened=${op[$r]} $ref torn=$torn torn_in_size=$torn_in_size zeroed_sectors=$zeroed no_wal_write=$notear${resolved:+ auto_chooses=$resolved} log_entries=$((final + 1)) seed=$seed result=ok"
  done
  phase "done"
  exit 0
fi
last=-1 checked=0 lost=0 corrupted=0 reordered=0 unexpected=0 tools=""
for p in $(sort -nu /tmp/sel); do
  phase "point $p"
  "$LW" replay "$log" /tmp/replay.img $((last + 1)) "$p" >/dev/null || fail "replay to entry $p"
  last=$p
  # Acknowledged before entry p: the ack marks logged before it.
  awk -v p="$p" '$1 < p && $2 == "mark" && $3 ~ /^a:/ { split($3, f, ":"); printf "%s %s\n", f[2], f[3] }' /tmp/points >/tmp/acked
  cp --sparse=always /tmp/replay.img /tmp/check.img
  loop=$(losetup -f --show /tmp/check.img) || fail losetup
  phase "replayed+copied"
  mount -t xfs "$loop" /tmp/mnt || fail "replay to entry $p (mode $mode seed $seed) does not mount"
  phase "mounted"
  if [ -d /tmp/mnt/db ]; then
    out=$("$W" verify --db=/tmp/mnt/db --acklog=/tmp/acked --mode="$mode" --info_log_dir=/tmp/log "${vextra[@]}" 2>&1)
    rc=$?
  else
    # Only possible before RocksDB created its directory; then no ack.
    out="checked=0 lost=$(wc -l </tmp/acked) corrupted=0 reordered=0 unexpected=0 keys=0 (no db directory)"
    [ -s /tmp/acked ] && rc=1 || rc=0
  fi
  phase "verified"
  summary=$(echo "$out" | grep -o 'checked=.*' | tail -1)
  for k in lost corrupted reordered unexpected; do
    v=$(echo "$summary" | grep -o "$k=[0-9]*" | cut -d= -f2)
    eval "$k=\$(($k + ${v:-0}))"
  done
  c=$(echo "$summary" | grep -o "checked=[0-9]*" | cut -d= -f2)
  checked=${c:-$checked}
  if [ "$rc" -ne 0 ] && [ -n "$control" ] && [ "$rc" -eq 1 ]; then
    summary="$summary (expected here: unsynced acks)"
  elif [ "$rc" -ne 0 ]; then
    echo "$out"
    umount /tmp/mnt; losetup -d "$loop"
    echo "durability: scenario=$scenario mode=$mode points=$((n + 1)) acked_checked=$checked lost=$lost corrupted=$corrupted reordered=$reordered unexpected=$unexpected seed=$seed result=FAIL"
    fail "replay to entry $p of $final: oracle exited $rc (mode $mode seed $seed)"
  fi
  if [ "$p" = "$final" ]; then
    # Stock tools on the final state (ordinary RocksDB files, no plugin).
    ldb --db=/tmp/mnt/db scan >/tmp/scan 2>&1 || tools="ldb scan failed: $(tail -3 /tmp/scan)"
    sst_dump --file=/tmp/mnt/db --command=verify >/tmp/sstv 2>&1 || tools="$tools sst_dump verify failed: $(tail -3 /tmp/sstv)"
  fi
  umount /tmp/mnt || fail "umount check image"
  losetup -d "$loop"
  rm -f /tmp/check.img
  n=$(( ${n:-0} + 1 ))
  echo "  entry $p: $summary"
done
result=ok
[ -z "$tools" ] || result=FAIL
if [ -n "$control" ]; then
  echo "durability: scenario=$scenario mode=$mode points=$n acked_checked=$checked lost=$lost corrupted=$corrupted reordered=$reordered unexpected=$unexpected seed=$seed result=$([ "$lost" -gt 0 ] && echo ok-loss-detected || echo FAIL-no-loss-seen)"
  [ "$lost" -gt 0 ] || fail "negative control: sync=false acks were never caught missing (mode $mode seed $seed): the check cannot see a loss"
  exit 0
fi
echo "durability: scenario=$scenario mode=$mode points=$n acked_checked=$checked lost=$lost corrupted=$corrupted reordered=$reordered unexpected=$unexpected log_entries=$((final + 1)) seed=$seed result=$result"
[ -z "$tools" ] || fail "stock tools on the final state: $tools"
exit 0
