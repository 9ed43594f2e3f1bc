// Copyright (c) wtrocks authors.
//
// AckLog: a line-per-commit record of which keys were acknowledged durable,
// for a workload process whose DB is about to be crashed (issue 6's oracle)
// and for `wtkv load --ack-file`.
//
// Format, one line per delivered commit, in delivery (= commit) order:
//   ack <key> [<key>...]
//   fail <key> [<key>...] | <status>
// Keys must be printable and contain no space or newline (wtkv's generated
// keys are). Each line is one write(2) on an O_APPEND fd, with no user-space
// buffering, so every line written before the process is killed is in the
// file: an "ack" line means the DB promised those keys survive a power cut.
// Nothing is fsynced: put the file somewhere the crash does not take (the
// host side of a VM, another disk), or read it before the power cut.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/kv/commit_queue.h"
#include "rocksdb/status.h"

namespace wtrocks::kv {

class AckLog {
 public:
  // "-" writes to stdout; otherwise the file is created or appended to.
  static rocksdb::Status Open(const std::string& path,
                              std::unique_ptr<AckLog>* out);
  ~AckLog();
  AckLog(const AckLog&) = delete;
  AckLog& operator=(const AckLog&) = delete;

  // A callback for KvDb::WriteAsync that logs `keys` as "ack" or "fail" and
  // then calls `then` (if set) with the same status. The AckLog must outlive
  // the commit's delivery.
  CommitCallback Wrap(std::vector<std::string> keys,
                      CommitCallback then = nullptr);

  // Writes one line; the first write error is kept and returned by status().
  void Record(const rocksdb::Status& s, const std::vector<std::string>& keys);
  rocksdb::Status status() const;

 private:
  AckLog(int fd, bool owned, std::string path);
  const int fd_;
  const bool owned_;
  const std::string path_;
  mutable std::mutex mu_;
  rocksdb::Status error_;  // guarded by mu_
};

}  // namespace wtrocks::kv
