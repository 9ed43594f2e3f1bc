// Copyright (c) wtrocks authors.
//
// wtrocks_fs_basic_test: the FileSystem contract RocksDB's env_basic_test
// checks (write, size, read back, reopen, rename, delete), aimed at the
// files wtrocks actually routes through wal/. RocksDB 7.8.3's own
// env_basic_test cannot do that: it passes TEST_FS_URI to
// Env::CreateFromUri as an *env* URI, so its "CustomEnv" cases run on
// Env::Default(), and it names its files f, g, b, which wtrocks passes
// through untouched. Here TEST_FS_URI is loaded strictly as a FileSystem
// (a name that does not resolve fails the test instead of silently falling
// back), and every case runs for a `*.log` (WAL) and a `*.sst` name.
//
// Without TEST_FS_URI the cases run on the default FileSystem: that run is
// the reference tests/rocksdb/run-rocksdb-test.sh compares against.
// Needs TEST_TMPDIR (a directory on the filesystem under test).
#include <gtest/gtest.h>
#include <rocksdb/convenience.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#define ASSERT_OK(expr)                                           \
  do {                                                            \
    const auto wt_s_ = (expr);                                    \
    ASSERT_TRUE(wt_s_.ok()) << #expr << ": " << wt_s_.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                           \
  do {                                                            \
    const auto wt_s_ = (expr);                                    \
    EXPECT_TRUE(wt_s_.ok()) << #expr << ": " << wt_s_.ToString(); \
  } while (0)

namespace {

using rocksdb::FileOptions;
using rocksdb::FileSystem;
using rocksdb::FSRandomAccessFile;
using rocksdb::FSSequentialFile;
using rocksdb::FSWritableFile;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::shared_ptr<FileSystem> TestFs() {
  const char* uri = std::getenv("TEST_FS_URI");
  if (uri == nullptr || *uri == '\0') return FileSystem::Default();
  rocksdb::ConfigOptions strict;
  strict.ignore_unsupported_options = false;
  std::shared_ptr<FileSystem> fs;
  rocksdb::Status s = FileSystem::CreateFromString(strict, uri, &fs);
  if (!s.ok() || fs == nullptr) {
    ADD_FAILURE() << "TEST_FS_URI=" << uri << " does not load (" << s.ToString()
                  << "); is libwtrocks.so preloaded?";
    return nullptr;
  }
  return fs;
}

// Bytes that differ at every offset, so a lost, repeated or shifted range
// shows, and that contain no run of zeros a zero tail could pass for.
std::string Pattern(size_t offset, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull;
    s[i] = static_cast<char>((x >> 56) | 1);
  }
  return s;
}

class FsBasicTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    if (tmp == nullptr) GTEST_SKIP() << "TEST_TMPDIR is not set";
    fs_ = TestFs();
    ASSERT_NE(fs_, nullptr);
    if (std::getenv("TEST_FS_URI") != nullptr) {
      // The env_basic_test trap: a URI that silently became the default.
      ASSERT_STRNE(fs_->Name(), FileSystem::Default()->Name());
    }
    std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = std::string(tmp) + "/wtrocks_fs_basic_" + name;
    fs_->DeleteDir(dir_, io_, nullptr).PermitUncheckedError();
    ASSERT_OK(fs_->CreateDirIfMissing(dir_, io_, nullptr));
  }
  void TearDown() override {
    if (fs_ == nullptr || dir_.empty()) return;
    std::vector<std::string> children;
    if (fs_->GetChildren(dir_, io_, &children, nullptr).ok()) {
      for (const auto& c : children) {
        fs_->DeleteFile(dir_ + "/" + c, io_, nullptr).PermitUncheckedError();
      }
    }
    fs_->DeleteDir(dir_, io_, nullptr).PermitUncheckedError();
  }

  // "000007.log" or "000007.sst": the names RocksDB gives WALs and tables.
  std::string File(int number) const {
    char name[32];
    snprintf(name, sizeof(name), "/%06d.%s", number, GetParam());
    return dir_ + name;
  }

  // Appends `sizes` pieces of the pattern, flushing after each; returns the
  // total.
  size_t AppendPieces(FSWritableFile* f, const std::vector<size_t>& sizes,
                      size_t offset = 0) {
    for (size_t n : sizes) {
      EXPECT_OK(f->Append(Pattern(offset, n), io_, nullptr));
      EXPECT_OK(f->Flush(io_, nullptr));
      offset += n;
    }
    return offset;
  }

  // The whole file through a sequential reader of the FileSystem under
  // test, read in 64 KiB pieces until EOF.
  std::string ReadAll(const std::string& path) {
    std::unique_ptr<FSSequentialFile> r;
    EXPECT_OK(fs_->NewSequentialFile(path, FileOptions(), &r, nullptr));
    if (r == nullptr) return "";
    std::string out;
    std::string buf(64 << 10, '\0');
    for (;;) {
      Slice got;
      IOStatus s = r->Read(buf.size(), io_, &got, buf.data(), nullptr);
      EXPECT_OK(s);
      if (!s.ok() || got.empty()) break;
      out.append(got.data(), got.size());
    }
    return out;
  }

  uint64_t Size(const std::string& path) {
    uint64_t size = ~0ull;
    EXPECT_OK(fs_->GetFileSize(path, io_, &size, nullptr));
    return size;
  }

  std::shared_ptr<FileSystem> fs_;
  std::string dir_;
  IOOptions io_;
};

// What a closed file holds: exactly the appended bytes, whatever the piece
// sizes (tiny records, a sector, more than wal/'s 1 MiB prezero window).
TEST_P(FsBasicTest, ClosedFileHoldsExactlyTheAppendedBytes) {
  std::unique_ptr<FSWritableFile> f;
  ASSERT_OK(fs_->NewWritableFile(File(1), FileOptions(), &f, nullptr));
  size_t total =
      AppendPieces(f.get(), {1, 7, 512, 4096, 100, 1 << 20, 300000, 33});
  ASSERT_OK(f->Sync(io_, nullptr));
  EXPECT_EQ(f->GetFileSize(io_, nullptr), total);
  ASSERT_OK(f->Close(io_, nullptr));
  EXPECT_EQ(Size(File(1)), total);
  EXPECT_TRUE(ReadAll(File(1)) == Pattern(0, total)) << "content differs";

  // Random access at a few offsets, the last one reading past the end.
  std::unique_ptr<FSRandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(File(1), FileOptions(), &r, nullptr));
  std::string buf(8192, '\0');
  for (size_t off : {size_t{0}, size_t{513}, size_t{1 << 20}, total - 100}) {
    Slice got;
    ASSERT_OK(r->Read(off, buf.size(), io_, &got, buf.data(), nullptr));
    size_t want = std::min(buf.size(), total - off);
    ASSERT_EQ(got.size(), want) << "at offset " << off;
    EXPECT_TRUE(got.ToString() == Pattern(off, want)) << "at offset " << off;
  }
}

// RocksDB's Flush contract for WALs: once Flush returns, the bytes are the
// file's (a process crash keeps them), so a reader opened on the live WAL,
// the way a secondary instance, GetUpdatesSince or a checkpoint copy reads
// it, sees exactly them, and nothing after them. WAL names only: RocksDB
// reads no SST before its Sync and Close.
using LiveWalTest = FsBasicTest;
TEST_P(LiveWalTest, LiveWalShowsFlushedBytesToReaders) {
  std::unique_ptr<FSWritableFile> f;
  ASSERT_OK(fs_->NewWritableFile(File(2), FileOptions(), &f, nullptr));
  size_t total = 0;
  auto expect_exactly = [&](const char* when) {
    EXPECT_EQ(Size(File(2)), total) << "GetFileSize of the live file " << when;
    std::string seen = ReadAll(File(2));
    EXPECT_EQ(seen.size(), total) << "a reader of the live file " << when;
    size_t common = std::min(seen.size(), total);
    EXPECT_TRUE(seen.substr(0, common) == Pattern(0, common))
        << "content differs " << when;
  };
  for (size_t n : {size_t{100}, size_t{3000}, size_t{70000}}) {
    total = AppendPieces(f.get(), {n}, total);
    expect_exactly("after Flush");
    // After a Sync every write wal/ started for the file has landed,
    // whatever their timing, so this check does not depend on a race.
    ASSERT_OK(f->Sync(io_, nullptr));
    expect_exactly("after Sync");
  }
  ASSERT_OK(f->Close(io_, nullptr));
}

// A file written, closed and opened again for append (RocksDB reopens
// nothing for append, but ReopenWritableFile is part of the contract).
TEST_P(FsBasicTest, ReopenAppendsAfterTheEnd) {
  std::unique_ptr<FSWritableFile> f;
  ASSERT_OK(fs_->NewWritableFile(File(3), FileOptions(), &f, nullptr));
  size_t total = AppendPieces(f.get(), {5000, 17});
  ASSERT_OK(f->Close(io_, nullptr));
  f.reset();
  ASSERT_OK(fs_->ReopenWritableFile(File(3), FileOptions(), &f, nullptr));
  total = AppendPieces(f.get(), {4096, 9}, total);
  ASSERT_OK(f->Sync(io_, nullptr));
  ASSERT_OK(f->Close(io_, nullptr));
  EXPECT_EQ(Size(File(3)), total);
  EXPECT_TRUE(ReadAll(File(3)) == Pattern(0, total)) << "content differs";
}

// recycle_log_file_num: an old file is renamed and overwritten from offset
// 0. The default FileSystem keeps the old bytes past the new data (RocksDB's
// recyclable record format tells old records from new), so what is
// promised is the new data as the file's prefix.
TEST_P(FsBasicTest, ReusedFileStartsWithTheNewData) {
  std::unique_ptr<FSWritableFile> f;
  ASSERT_OK(fs_->NewWritableFile(File(4), FileOptions(), &f, nullptr));
  AppendPieces(f.get(), {200000}, 1000);
  ASSERT_OK(f->Close(io_, nullptr));
  f.reset();
  ASSERT_OK(
      fs_->ReuseWritableFile(File(5), File(4), FileOptions(), &f, nullptr));
  size_t total = AppendPieces(f.get(), {1000, 2000});
  ASSERT_OK(f->Sync(io_, nullptr));
  ASSERT_OK(f->Close(io_, nullptr));
  ASSERT_TRUE(fs_->FileExists(File(4), io_, nullptr).IsNotFound());
  EXPECT_GE(Size(File(5)), total);
  EXPECT_TRUE(ReadAll(File(5)).substr(0, total) == Pattern(0, total))
      << "content differs";
}

// Rename, list, delete: the namespace operations env_basic_test's Basics
// case checks.
TEST_P(FsBasicTest, RenameListDelete) {
  std::unique_ptr<FSWritableFile> f;
  ASSERT_OK(fs_->NewWritableFile(File(6), FileOptions(), &f, nullptr));
  size_t total = AppendPieces(f.get(), {12345});
  ASSERT_OK(f->Close(io_, nullptr));
  ASSERT_OK(fs_->RenameFile(File(6), File(7), io_, nullptr));
  EXPECT_TRUE(fs_->FileExists(File(6), io_, nullptr).IsNotFound());
  ASSERT_OK(fs_->FileExists(File(7), io_, nullptr));
  std::vector<std::string> children;
  ASSERT_OK(fs_->GetChildren(dir_, io_, &children, nullptr));
  std::string name7 = File(7).substr(dir_.size() + 1);
  EXPECT_NE(std::find(children.begin(), children.end(), name7), children.end());
  EXPECT_EQ(Size(File(7)), total);
  ASSERT_OK(fs_->DeleteFile(File(7), io_, nullptr));
  EXPECT_TRUE(fs_->FileExists(File(7), io_, nullptr).IsNotFound());
  uint64_t size = 0;
  EXPECT_FALSE(fs_->GetFileSize(File(7), io_, &size, nullptr).ok());
}

// Two files written alternately (a WAL switch while the old WAL is still
// open) keep their own bytes.
TEST_P(FsBasicTest, InterleavedFilesKeepTheirBytes) {
  std::unique_ptr<FSWritableFile> a, b;
  ASSERT_OK(fs_->NewWritableFile(File(8), FileOptions(), &a, nullptr));
  ASSERT_OK(fs_->NewWritableFile(File(9), FileOptions(), &b, nullptr));
  size_t ta = 0, tb = 0;
  for (int i = 0; i < 50; ++i) {
    ta = AppendPieces(a.get(), {size_t(100 + i * 37)}, ta);
    tb = AppendPieces(b.get(), {size_t(4000 - i * 11)}, tb + 7) - 7;
  }
  ASSERT_OK(a->Sync(io_, nullptr));
  ASSERT_OK(b->Sync(io_, nullptr));
  ASSERT_OK(a->Close(io_, nullptr));
  ASSERT_OK(b->Close(io_, nullptr));
  EXPECT_TRUE(ReadAll(File(8)) == Pattern(0, ta)) << "first file differs";
  EXPECT_TRUE(ReadAll(File(9)) == Pattern(7, tb)) << "second file differs";
}

// Several MiB with a Sync every few appends, as a busy WAL or a compaction
// output sees them.
TEST_P(FsBasicTest, LargeWriteWithSyncs) {
  std::unique_ptr<FSWritableFile> f;
  ASSERT_OK(fs_->NewWritableFile(File(10), FileOptions(), &f, nullptr));
  size_t total = 0;
  for (int i = 0; i < 40; ++i) {
    total = AppendPieces(f.get(), {size_t(1000 + (i * 7919) % 300000)}, total);
    if (i % 5 == 4) ASSERT_OK(f->Sync(io_, nullptr));
  }
  ASSERT_OK(f->Close(io_, nullptr));
  EXPECT_EQ(Size(File(10)), total);
  EXPECT_TRUE(ReadAll(File(10)) == Pattern(0, total)) << "content differs";
}

INSTANTIATE_TEST_SUITE_P(Wal, LiveWalTest, ::testing::Values("log"),
                         [](const auto& info) {
                           return std::string(info.param);
                         });
INSTANTIATE_TEST_SUITE_P(Kinds, FsBasicTest, ::testing::Values("log", "sst"),
                         [](const auto& info) {
                           return std::string(info.param);
                         });

}  // namespace
