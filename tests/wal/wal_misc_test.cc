// Copyright (c) wtrocks authors.
//
// Probe, option validation, kOnSync and kReuse files, preallocation, ENOSPC.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>

#include "tests/lib/file_util.h"
#include "tests/lib/scratch_fs.h"
#include "tests/wal/record_codec.h"
#include "wal/backend.h"
#include "wal/durable_file.h"
#include "wal/probe.h"

namespace wtrocks::wal {
namespace {

using testing::CheckRecords;
using testing::FileSize;
using testing::MakeRecord;
using testing::ReadAll;
using testing::ScratchFs;

// The kernel's own answer to RWF_WRITETHROUGH, independent of wal/: a plain
// pwritev2 with the flag. Returns 0 or errno.
int RawWriteThrough(const std::string& dir) {
  std::string path = dir + "/raw-wt";
  int fd = open(path.c_str(), O_RDWR | O_CREAT, 0600);
  if (fd < 0) return errno;
  char buf[4096] = {1};
  struct iovec iov = {buf, sizeof(buf)};
  ssize_t n = pwritev2(fd, &iov, 1, 0, kRwfWriteThrough | RWF_DSYNC);
  int err = n < 0 ? errno : 0;
  close(fd);
  unlink(path.c_str());
  return err;
}

class ProbeTest : public ::testing::TestWithParam<ScratchFs> {};

// The probe agrees with the kernel about write-through and names the reason
// when it is missing; fsync always works; tmpfs is flagged volatile.
TEST_P(ProbeTest, AgreesWithKernel) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, GetParam());
  ProbeResult r;
  Status s = ProbeUncached(dir, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(r.Of(Mode::kFsync).supported);
  int raw = RawWriteThrough(dir);
  EXPECT_EQ(r.Of(Mode::kWriteThrough).supported, raw == 0) << r.ToString();
  if (raw == EOPNOTSUPP) {
    EXPECT_NE(r.Of(Mode::kWriteThrough).reason.find("EOPNOTSUPP"),
              std::string::npos);
    EXPECT_NE(r.best_why.find("writethrough is unsupported"), std::string::npos)
        << r.best_why;
  }
  EXPECT_TRUE(r.Of(r.best).supported);
  EXPECT_EQ(r.volatile_fs, GetParam() == ScratchFs::kTmpfs);
  if (r.Of(Mode::kDirect).supported) {
    EXPECT_GE(r.direct_alignment, 512u);
  }
  // Nothing is left behind in the probed directory.
  EXPECT_EQ(ReadAll(dir + "/.wtrocks-probe-" + std::to_string(getpid()) + "-0"),
            "");
}

INSTANTIATE_TEST_SUITE_P(Fs, ProbeTest,
                         ::testing::Values(ScratchFs::kXfs, ScratchFs::kExt4,
                                           ScratchFs::kTmpfs),
                         [](const auto& info) {
                           return testing::ScratchFsName(info.param);
                         });

// Reads /sys/dev/block/M:m[/..]/queue/<what> for the device holding `path`.
unsigned QueueAttr(const std::string& path, const char* what) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  std::string base = "/sys/dev/block/" + std::to_string(major(st.st_dev)) +
                     ":" + std::to_string(minor(st.st_dev));
  for (std::string q : {base + "/queue/", base + "/../queue/"}) {
    std::string v = ReadAll(q + what);
    if (!v.empty()) return static_cast<unsigned>(std::stoul(v));
  }
  return 0;
}

// On a 512e device (512-byte logical, 4 KiB physical sectors) the direct
// mode must write whole physical sectors: a 512-byte write makes the drive
// read-modify-write the 4 KiB sector, which a power cut can tear. Failed
// before: the probe took the smallest alignment the kernel accepted
// ("direct_alignment 512, physical block 4096").
TEST(ProbeDirect, AlignmentIsThePhysicalBlock) {
  const char* build = getenv("WTROCKS_BUILD_DIR");
  std::string dir;
  for (std::string d : {std::string(build ? build : ""),
                        std::string("/var/tmp"), std::string("/tmp")}) {
    if (d.empty()) continue;
    unsigned logical = QueueAttr(d, "logical_block_size");
    unsigned physical = QueueAttr(d, "physical_block_size");
    if (logical != 0 && physical > logical) {
      dir = d + "/.wtrocks-512e-" + std::to_string(getpid());
      break;
    }
  }
  if (dir.empty())
    GTEST_SKIP() << "no 512e device (physical > logical block) here";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ProbeResult r;
  Status s = ProbeUncached(dir, &r);
  unsigned physical = QueueAttr(dir, "physical_block_size");
  rmdir(dir.c_str());
  ASSERT_TRUE(s.ok()) << s.ToString();
  if (!r.Of(Mode::kDirect).supported)
    GTEST_SKIP() << r.Of(Mode::kDirect).reason;
  EXPECT_EQ(r.direct_alignment, physical < 4096 ? physical : 4096u)
      << "direct_alignment " << r.direct_alignment << ", physical block "
      << physical;
}

TEST(ProbeErrors, MissingDirectoryIsInvalidArgument) {
  ProbeResult r;
  Status s = ProbeUncached("/nonexistent/wtrocks", &r);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("/nonexistent/wtrocks"), std::string::npos);
}

TEST(OpenErrors, UnsupportedModeNamesReason) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kExt4);
  ProbeResult r;
  ASSERT_TRUE(Probe(dir, &r).ok());
  if (r.Of(Mode::kWriteThrough).supported)
    GTEST_SKIP() << "this kernel has write-through on ext4";
  DurableFileOptions o;
  o.mode = Mode::kWriteThrough;
  std::unique_ptr<DurableFile> f;
  Status s = DurableFile::Open(dir + "/x.log", o, &f);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find("writethrough"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("EOPNOTSUPP"), std::string::npos) << s.message();
}

TEST(OpenErrors, DirectNeedsZeroTailFormatAndNoProcessCrashPromise) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::unique_ptr<DurableFile> f;
  DurableFileOptions o;
  o.mode = Mode::kDirect;
  Status s = DurableFile::Open(dir + "/x.sst", o, &f);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("zero_tail_ok"), std::string::npos) << s.message();
  // Direct cannot put appends in the page cache: refused, not degraded.
  o.zero_tail_ok = true;
  o.process_crash_safe = true;
  s = DurableFile::Open(dir + "/x.log", o, &f);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("process_crash_safe"), std::string::npos)
      << s.message();
  // auto never picks direct for a file that is not zero_tail_ok.
  o = DurableFileOptions();
  o.preallocate_bytes = 1 << 20;  // fine for any file: the size stays honest
  ASSERT_TRUE(DurableFile::Open(dir + "/y.sst", o, &f).ok());
  EXPECT_NE(f->mode(), Mode::kDirect);
  EXPECT_TRUE(f->Close().ok());
}

// kOnSync: writes stream out without integrity flags; Sync makes one
// durability point with one fdatasync; no zero tail is ever left.
TEST(OnSyncFile, OneFdatasyncPerSyncAndExactSize) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  DurableFileOptions o;
  o.durability = Durability::kOnSync;
  o.max_write_bytes = 256 << 10;
  std::unique_ptr<DurableFile> f;
  std::string path = dir + "/000001.sst";
  ASSERT_TRUE(DurableFile::Open(path, o, &f).ok());
  for (int i = 0; i < 40; i++) {
    std::string rec = MakeRecord(0, i, 100000);
    ASSERT_TRUE(f->Append(rec.data(), rec.size()).ok());
  }
  ASSERT_TRUE(f->Sync().ok());
  EXPECT_EQ(f->durable_offset(), f->size());
  EXPECT_EQ(f->stats().fsync_calls.load(), 1u);
  EXPECT_GT(f->stats().data_writes.load(), 1u);
  Status cb;
  f->OnDurable(f->size(), [&](const Status& s) { cb = s; });
  EXPECT_EQ(cb.code(), Status::Code::kInvalidArgument);
  uint64_t size = f->size();
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(FileSize(path), size);
  std::vector<uint64_t> counts;
  EXPECT_EQ(CheckRecords(ReadAll(path), 1, &counts), "");
  EXPECT_EQ(counts[0], 40u);
}

uint64_t AllocatedBytes(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0
             ? static_cast<uint64_t>(st.st_blocks) * 512
             : 0;
}

// Preallocation: while open, blocks past the end are reserved but the size
// is the data's; Allocate (RocksDB's) reserves too; close gives the blocks
// back.
TEST(Preallocate, BlocksReservedSizeHonestReleasedOnClose) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  DurableFileOptions o;
  o.zero_tail_ok = true;
  o.process_crash_safe = true;  // so auto cannot pick direct, which pads
  o.preallocate_bytes = 2 << 20;
  std::unique_ptr<DurableFile> f;
  std::string path = dir + "/000003.log";
  ASSERT_TRUE(DurableFile::Open(path, o, &f).ok());
  std::string rec = MakeRecord(0, 0, 10000);
  uint64_t end;
  ASSERT_TRUE(f->Append(rec.data(), rec.size(), &end).ok());
  ASSERT_TRUE(f->WaitDurable(end).ok());
  EXPECT_EQ(FileSize(path), end);
  EXPECT_GE(AllocatedBytes(path), uint64_t{2} << 20);
  ASSERT_TRUE(f->Allocate(0, 8 << 20).ok());
  EXPECT_GE(AllocatedBytes(path), uint64_t{8} << 20);
  EXPECT_EQ(FileSize(path), end);
  EXPECT_EQ(ReadAll(path), rec);
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(FileSize(path), end);
  EXPECT_LT(AllocatedBytes(path), uint64_t{1} << 20);
  EXPECT_GT(f->stats().prealloc_bytes.load(), 0u);
}

// kReuse (RocksDB's recycled WAL): writes start at 0 over the old blocks and
// close leaves exactly the new content.
TEST(Reuse, OverwritesFromStart) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::string path = dir + "/000005.log";
  DurableFileOptions o;
  o.zero_tail_ok = true;
  std::unique_ptr<DurableFile> f;
  ASSERT_TRUE(DurableFile::Open(path, o, &f).ok());
  std::string old = MakeRecord(0, 0, 300000);
  ASSERT_TRUE(f->Append(old.data(), old.size()).ok());
  ASSERT_TRUE(f->Close().ok());
  o.open_mode = OpenMode::kReuse;
  o.preallocate_bytes = 1 << 20;
  ASSERT_TRUE(DurableFile::Open(path, o, &f).ok());
  std::string fresh = MakeRecord(1, 0, 5000);
  uint64_t end;
  ASSERT_TRUE(f->Append(fresh.data(), fresh.size(), &end).ok());
  ASSERT_TRUE(f->WaitDurable(end).ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(ReadAll(path), fresh);
}

// Write-through mode makes a durable write that extends the file as dsync
// does (the log force for the new size is needed anyway) and keeps
// RWF_WRITETHROUGH for overwrites. An unpatched kernel refuses the flag, so
// there the extending writes succeed and the overwrites fail with the
// kernel's own answer; on ours, all succeed. Both ways of writing: on the
// calling thread and through the ring.
TEST(WriteThroughBackend, ExtendingDurableWritesGoAsDsync) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  const int raw = RawWriteThrough(dir);
  const int overwrite_res = raw == 0 ? 4096 : -raw;
  std::unique_ptr<Backend> b = MakeUringBackend(Mode::kWriteThrough);
  std::string path = dir + "/000007.log";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  alignas(4096) static char buf[4096];
  memset(buf, 'w', sizeof(buf));
  EXPECT_EQ(b->WriteNow(fd, buf, 4096, 0, true, /*extends=*/true), 4096);
  EXPECT_EQ(b->WriteNow(fd, buf, 4096, 0, true, /*extends=*/false),
            overwrite_res);

  struct Done final : IoCompletion {
    std::promise<int> res;
    void OnIoComplete(int r) override { res.set_value(r); }
  };
  Done extend;
  ASSERT_EQ(b->StartWrite(fd, buf, 4096, 4096, true, true, &extend), 0);
  EXPECT_EQ(extend.res.get_future().get(), 4096);
  Done over;
  ASSERT_EQ(b->StartWrite(fd, buf, 4096, 0, true, false, &over), 0);
  EXPECT_EQ(over.res.get_future().get(), overwrite_res);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 8192);
  close(fd);
}

// A full filesystem is a real ENOSPC: NoSpace naming the file, sticky, and
// everything acknowledged before it reads back intact.
TEST(FullDisk, EnospcIsStickyAndLosesNothingAcknowledged) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kSmall);
  for (Mode mode : {Mode::kDsync, Mode::kFsync, Mode::kDirect}) {
    SCOPED_TRACE(ModeName(mode));
    std::string path = dir + "/full-" + ModeName(mode) + ".log";
    DurableFileOptions o;
    o.mode = mode;
    o.zero_tail_ok = true;
    o.preallocate_bytes = 1 << 20;
    std::unique_ptr<DurableFile> f;
    Status s = DurableFile::Open(path, o, &f);
    if (s.IsNotSupported()) continue;
    ASSERT_TRUE(s.ok()) << s.ToString();
    uint64_t acked = 0;
    int i = 0;
    for (; i < 2000 && s.ok(); i++) {
      std::string rec = MakeRecord(0, i, 64 << 10);
      uint64_t end;
      s = f->Append(rec.data(), rec.size(), &end);
      if (s.ok()) s = f->WaitDurable(end);
      if (s.ok()) acked = end;
    }
    ASSERT_FALSE(s.ok()) << "16 MiB filesystem never filled";
    EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
    EXPECT_NE(s.message().find("ENOSPC"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
    EXPECT_GT(acked, 0u);
    std::string rec = MakeRecord(0, 99999, 10);
    EXPECT_TRUE(f->Append(rec.data(), rec.size()).IsNoSpace());
    f->Close();
    std::string data = ReadAll(path);
    ASSERT_GE(data.size(), acked);
    std::vector<uint64_t> counts;
    EXPECT_EQ(CheckRecords(data.substr(0, acked), 1, &counts), "");
    unlink(path.c_str());  // make room for the next mode
  }
}

// With process_crash_safe, every byte Append returned for survives a
// SIGKILL of the appending process, even while completions lag far behind
// (the child delays each by 20 ms): it is in the page cache, not in our
// buffer. Direct mode cannot promise this and is not tested for it.
TEST(ProcessCrash, AppendedBytesSurviveSigkill) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  const char* build = getenv("WTROCKS_BUILD_DIR");
  ASSERT_NE(build, nullptr) << "WTROCKS_BUILD_DIR not set (run through ctest)";
  std::string child = std::string(build) + "/wal_crash_child";
  ProbeResult probe;
  ASSERT_TRUE(Probe(dir, &probe).ok());
  int tested = 0;
  for (Mode mode : {Mode::kWriteThrough, Mode::kDsync, Mode::kFsync}) {
    if (!probe.Of(mode).supported) continue;
    SCOPED_TRACE(ModeName(mode));
    tested++;
    std::string path = dir + "/crash-" + ModeName(mode) + ".log";
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      dup2(pipefd[1], 1);
      close(pipefd[0]);
      execl(child.c_str(), child.c_str(), path.c_str(), ModeName(mode), "1",
            nullptr);
      _exit(127);
    }
    close(pipefd[1]);
    FILE* in = fdopen(pipefd[0], "r");
    uint64_t last = 0, acks = 0, v;
    while (acks < 300 && fscanf(in, "%lu", &v) == 1) {
      last = v;
      acks++;
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    fclose(in);
    ASSERT_EQ(acks, 300u) << "child stopped early, status " << status;
    std::string data = ReadAll(path);
    ASSERT_GE(data.size(), last) << "bytes acknowledged by Append were lost";
    std::vector<uint64_t> counts;
    EXPECT_EQ(CheckRecords(data.substr(0, last), 1, &counts), "");
    EXPECT_EQ(counts[0], acks);
  }
  if (tested == 0) GTEST_SKIP() << "no buffered mode supported";
}

}  // namespace
}  // namespace wtrocks::wal
