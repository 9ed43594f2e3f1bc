// Copyright (c) wtrocks authors.
#include "engine/kv/wal_dir_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>

namespace wtrocks::kv {
namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

}  // namespace

std::vector<std::string> WalDirSync::DirsToSync(
    const engine::WalBarrier& barrier) {
  bool fresh = false;
  for (const auto& p : barrier.points) {
    if (std::find(covered_.begin(), covered_.end(), p.file) == covered_.end()) {
      fresh = true;
      break;
    }
  }
  if (!fresh) return {};
  std::vector<std::string> dirs;
  covered_.clear();
  for (const auto& p : barrier.points) {
    covered_.push_back(p.file);
    std::string d = DirOf(p.file->path());
    if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  }
  return dirs;
}

rocksdb::Status WalDirSync::SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return rocksdb::Status::IOError("wtkv: open WAL directory " + dir +
                                    " for fsync: " + strerror(e));
  }
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  if (rc != 0) {
    return rocksdb::Status::IOError("wtkv: fsync of WAL directory " + dir +
                                    ": " + strerror(e));
  }
  return rocksdb::Status::OK();
}

}  // namespace wtrocks::kv
