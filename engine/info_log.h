// Copyright (c) wtrocks authors.
//
// InfoLog: the Logger a WtrocksFileSystem hands out for RocksDB's info LOG.
//
// RocksDB's own (EnvLogger) writes through a WritableFileWriter, which after
// one failed write treats the file as broken: every later write fails, and
// in an assert-enabled librocksdb (Debian 12's 7.8.3) the next log line
// aborts the process. A full disk therefore killed the database, the server
// and any acknowledgements in flight, at the first message RocksDB logged
// about the very error it was about to return. This Logger keeps writing:
// each line is one Append of the file, a line that cannot be written is
// counted, and the first line that can be written again says how many were
// lost and why. The LOG holds no data, so losing lines loses nothing else.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace wtrocks::engine {

class InfoLog : public rocksdb::Logger {
 public:
  explicit InfoLog(std::unique_ptr<rocksdb::FSWritableFile> file);
  ~InfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  // Bytes written so far (AutoRollLogger rolls the LOG by it).
  size_t GetLogFileSize() const override;
  void Flush() override;

 protected:
  rocksdb::Status CloseImpl() override;

 private:
  void WriteLocked(const std::string& line);

  mutable std::mutex mu_;
  std::unique_ptr<rocksdb::FSWritableFile> file_;  // guarded by mu_
  uint64_t size_ = 0;                              // guarded by mu_
  uint64_t lost_ = 0;                              // guarded by mu_
  std::string lost_why_;                           // guarded by mu_
};

}  // namespace wtrocks::engine
