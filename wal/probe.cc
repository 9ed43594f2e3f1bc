// Copyright (c) wtrocks authors.
//
// Each mode is probed by doing what the runtime will do, with exactly its
// flags, on a scratch file: asking the kernel is the only reliable test
// (RWF_WRITETHROUGH support depends on the kernel build and on the
// filesystem's opt-in, and O_DIRECT support and alignment on the
// filesystem and device).
#include "wal/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <sstream>

#include "wal/backend.h"
#include "wal/io_service.h"
#include "wal/path.h"

namespace wtrocks::wal {

namespace {

constexpr size_t kProbeBytes = 4096;

int Index(Mode m) { return static_cast<int>(m); }

std::string FsTypeName(const struct statfs& sfs, bool* volatile_fs) {
  *volatile_fs = false;
  switch (static_cast<unsigned long>(sfs.f_type)) {
    case XFS_SUPER_MAGIC:
      return "xfs";
    case EXT4_SUPER_MAGIC:
      return "ext4";  // also ext2/ext3
    case BTRFS_SUPER_MAGIC:
      return "btrfs";
    case TMPFS_MAGIC:
      *volatile_fs = true;
      return "tmpfs";
    case RAMFS_MAGIC:
      *volatile_fs = true;
      return "ramfs";
    case OVERLAYFS_SUPER_MAGIC:
      return "overlayfs";
    case NFS_SUPER_MAGIC:
      return "nfs";
    case 0x65735546:
      return "fuse";
    case 0x01021997:
      return "9p";
    case F2FS_SUPER_MAGIC:
      return "f2fs";
  }
  char buf[32];
  snprintf(buf, sizeof(buf), "0x%lx", static_cast<unsigned long>(sfs.f_type));
  return buf;
}

// Owns a page-aligned buffer of a probe pattern.
struct AlignedBuf {
  explicit AlignedBuf(size_t n) {
    if (posix_memalign(&p, 4096, n) != 0) p = nullptr;
    if (p) memset(p, 0x5a, n);
  }
  ~AlignedBuf() { free(p); }
  void* p = nullptr;
};

std::string Describe(int res, const char* what) {
  std::string s = what;
  s += ": ";
  s += res < 0 ? strerror(-res) : "short write";
  if (res < 0) {
    s += " (";
    s += ErrnoName(-res);
    s += ")";
  }
  return s;
}

void ProbeWriteThrough(int fd, const ProbeResult& r, ModeSupport* out) {
  AlignedBuf buf(kProbeBytes);
  int res =
      SyncUringWrite(fd, buf.p, kProbeBytes, 0, kRwfWriteThrough | RWF_DSYNC);
  if (res == static_cast<int>(kProbeBytes)) {
    out->supported = true;
    out->reason = "io_uring write with RWF_WRITETHROUGH|RWF_DSYNC succeeded";
    return;
  }
  out->reason = Describe(res, "io_uring write with RWF_WRITETHROUGH|RWF_DSYNC");
  if (res == -EOPNOTSUPP) {
    out->reason += ": kernel " + r.kernel +
                   " lacks RWF_WRITETHROUGH (see kernel-patches/) or " +
                   r.fs_type + " does not opt in";
  }
}

// The physical block size of the block device holding `dev` (a partition
// answers for its disk), from sysfs; 0 when there is no such device
// (tmpfs, a network filesystem) or sysfs does not say.
uint32_t PhysicalBlockSize(dev_t dev) {
  std::string base = "/sys/dev/block/" + std::to_string(major(dev)) + ":" +
                     std::to_string(minor(dev));
  for (const char* rel :
       {"/queue/physical_block_size", "/../queue/physical_block_size"}) {
    FILE* f = fopen((base + rel).c_str(), "r");
    if (f == nullptr) continue;
    unsigned v = 0;
    bool ok = fscanf(f, "%u", &v) == 1;
    fclose(f);
    if (ok && v > 0) return v;
  }
  return 0;
}

// Direct I/O needs a buffer, offset and length aligned to the device's
// logical block; find the smallest of 512 and 4096 that the kernel takes.
// Then write in the device's *physical* blocks if they are larger: a 512e
// drive (512-byte logical, 4 KiB physical sectors) updates a 512-byte write
// by read-modify-write of its 4 KiB sector, which a power cut can tear,
// taking acknowledged records that share the sector with it.
void ProbeDirect(const std::string& path, dev_t dev, ModeSupport* out,
                 uint32_t* align) {
  int fd = open(path.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
  if (fd < 0) {
    out->reason = Describe(-errno, "open with O_DIRECT");
    return;
  }
  AlignedBuf buf(kProbeBytes);
  int last = 0;
  for (uint32_t a : {512u, 4096u}) {
    last = SyncUringWrite(fd, buf.p, a, a, RWF_DSYNC);
    if (last == static_cast<int>(a)) {
      uint32_t physical = PhysicalBlockSize(dev);
      // Our I/O buffers are 4 KiB aligned, so that is the most we use.
      uint32_t use = physical > a ? (physical < 4096u ? physical : 4096u) : a;
      out->supported = true;
      *align = use;
      out->reason =
          "O_DIRECT io_uring write with RWF_DSYNC succeeded, alignment " +
          std::to_string(use);
      if (use != a) {
        out->reason += " (the device's physical block; the kernel takes " +
                       std::to_string(a) + ")";
      }
      break;
    }
    if (last != -EINVAL) break;
  }
  if (!out->supported)
    out->reason = Describe(last, "O_DIRECT io_uring write with RWF_DSYNC");
  close(fd);
}

void ProbeDsync(int fd, ModeSupport* out) {
  AlignedBuf buf(kProbeBytes);
  int res = SyncUringWrite(fd, buf.p, kProbeBytes, kProbeBytes, RWF_DSYNC);
  if (res == static_cast<int>(kProbeBytes)) {
    out->supported = true;
    out->reason = "buffered io_uring write with RWF_DSYNC succeeded";
  } else {
    out->reason = Describe(res, "buffered io_uring write with RWF_DSYNC");
  }
}

void ProbeFsync(int fd, ModeSupport* out) {
  AlignedBuf buf(kProbeBytes);
  if (pwrite(fd, buf.p, kProbeBytes, 2 * kProbeBytes) !=
      static_cast<ssize_t>(kProbeBytes)) {
    out->reason = Describe(-errno, "pwrite");
  } else if (int r = Datasync(fd); r != 0) {
    out->reason = Describe(r, "fdatasync");
  } else {
    out->supported = true;
    out->reason = "pwrite + fdatasync succeeded";
  }
}

}  // namespace

const ModeSupport& ProbeResult::Of(Mode mode) const {
  static const ModeSupport kAutoSupport{true, "auto"};
  if (mode == Mode::kAuto) return kAutoSupport;
  return support[Index(mode)];
}

std::string ProbeResult::ToString() const {
  std::ostringstream os;
  os << "probe of " << dir << " (" << fs_type << ", kernel " << kernel
     << (volatile_fs ? ", VOLATILE: nothing survives a power cut" : "")
     << ")\n";
  for (Mode m : kConcreteModes) {
    const ModeSupport& s = Of(m);
    os << "  " << ModeName(m) << ": " << (s.supported ? "yes" : "no") << " - "
       << s.reason << "\n";
  }
  os << "  auto: " << ModeName(best) << " - " << best_why << "\n";
  return os.str();
}

Status ProbeUncached(const std::string& dir_or_file, ProbeResult* out) {
  *out = ProbeResult();
  struct stat st;
  if (stat(dir_or_file.c_str(), &st) != 0) {
    return Status::InvalidArgument("cannot probe " + dir_or_file + ": " +
                                   strerror(errno));
  }
  std::string dir = dir_or_file;
  if (!S_ISDIR(st.st_mode)) {
    dir = ParentDir(dir);
  }
  out->dir = dir;
  struct statfs sfs;
  if (statfs(dir.c_str(), &sfs) != 0) {
    return Status::FromErrno(errno, "statfs " + dir);
  }
  out->fs_type = FsTypeName(sfs, &out->volatile_fs);
  out->block_size = static_cast<uint32_t>(sfs.f_bsize);
  struct utsname un;
  out->kernel = uname(&un) == 0 ? un.release : "?";

  static std::atomic<int> counter{0};
  std::string path = dir + "/.wtrocks-probe-" + std::to_string(getpid()) + "-" +
                     std::to_string(counter.fetch_add(1));
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::InvalidArgument("cannot probe " + dir + ": creating " +
                                   path + ": " + strerror(errno));
  }
  const Status& uring = IoService::Default().init_status();
  if (uring.ok()) {
    ProbeWriteThrough(fd, *out, &out->support[Index(Mode::kWriteThrough)]);
    ProbeDsync(fd, &out->support[Index(Mode::kDsync)]);
  } else {
    out->support[Index(Mode::kWriteThrough)].reason = uring.message();
    out->support[Index(Mode::kDsync)].reason = uring.message();
  }
  ProbeFsync(fd, &out->support[Index(Mode::kFsync)]);
  close(fd);
  if (uring.ok()) {
    ProbeDirect(path, st.st_dev, &out->support[Index(Mode::kDirect)],
                &out->direct_alignment);
  } else {
    out->support[Index(Mode::kDirect)].reason = uring.message();
  }
  unlink(path.c_str());

  std::string skipped;
  for (Mode m : kConcreteModes) {
    if (out->Of(m).supported) {
      out->best = m;
      out->best_why = std::string("auto chose ") + ModeName(m) +
                      (skipped.empty() ? ": the best mode is supported"
                                       : " because" + skipped);
      break;
    }
    skipped += std::string(skipped.empty() ? " " : "; ") + ModeName(m) +
               " is unsupported (" + out->Of(m).reason + ")";
  }
  if (!out->Of(out->best).supported) {
    return Status::NotSupported("no durable-write mode works in " + dir + ":" +
                                skipped);
  }
  return Status::OK();
}

Status Probe(const std::string& dir_or_file, ProbeResult* out) {
  // Keyed by device: every directory of one filesystem answers alike.
  static std::mutex mu;
  static std::map<dev_t, ProbeResult>* cache =
      new std::map<dev_t, ProbeResult>();
  struct stat st;
  if (stat(dir_or_file.c_str(), &st) != 0) {
    return Status::InvalidArgument("cannot probe " + dir_or_file + ": " +
                                   strerror(errno));
  }
  std::lock_guard<std::mutex> l(mu);
  auto it = cache->find(st.st_dev);
  if (it != cache->end()) {
    *out = it->second;
    return Status::OK();
  }
  Status s = ProbeUncached(dir_or_file, out);
  if (s.ok()) (*cache)[st.st_dev] = *out;
  return s;
}

Status ResolveMode(const ProbeResult& probe, Mode requested, Mode* chosen,
                   std::string* why) {
  if (requested == Mode::kAuto) {
    *chosen = probe.best;
    *why = probe.best_why;
    return Status::OK();
  }
  const ModeSupport& s = probe.Of(requested);
  if (!s.supported) {
    return Status::NotSupported(std::string("mode ") + ModeName(requested) +
                                " is not supported in " + probe.dir + " (" +
                                probe.fs_type + "): " + s.reason);
  }
  *chosen = requested;
  *why = std::string(ModeName(requested)) + " requested: " + s.reason;
  return Status::OK();
}

}  // namespace wtrocks::wal
