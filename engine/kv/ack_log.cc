// Copyright (c) wtrocks authors.
#include "engine/kv/ack_log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

namespace wtrocks::kv {

rocksdb::Status AckLog::Open(const std::string& path,
                             std::unique_ptr<AckLog>* out) {
  if (path == "-") {
    out->reset(new AckLog(STDOUT_FILENO, false, "stdout"));
    return rocksdb::Status::OK();
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return rocksdb::Status::IOError("wtkv: cannot open ack file " + path +
                                    ": " + strerror(errno));
  }
  out->reset(new AckLog(fd, true, path));
  return rocksdb::Status::OK();
}

AckLog::AckLog(int fd, bool owned, std::string path)
    : fd_(fd), owned_(owned), path_(std::move(path)) {}

AckLog::~AckLog() {
  if (owned_) close(fd_);
}

CommitCallback AckLog::Wrap(std::vector<std::string> keys,
                            CommitCallback then) {
  return [this, keys = std::move(keys),
          then = std::move(then)](const rocksdb::Status& s) {
    Record(s, keys);
    if (then) then(s);
  };
}

void AckLog::Record(const rocksdb::Status& s,
                    const std::vector<std::string>& keys) {
  std::string line = s.ok() ? "ack" : "fail";
  for (const std::string& k : keys) line += " " + k;
  if (!s.ok()) line += " | " + s.ToString();
  line += "\n";
  // One write per line: a line is either wholly in the file or not at all
  // when this process dies (short writes to a regular file or pipe of this
  // size do not happen short of ENOSPC, which is reported).
  std::lock_guard<std::mutex> lock(mu_);
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (error_.ok()) {
        error_ = rocksdb::Status::IOError("wtkv: writing ack file " + path_ +
                                          ": " + strerror(errno));
      }
      return;
    }
    done += static_cast<size_t>(n);
  }
}

rocksdb::Status AckLog::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace wtrocks::kv
