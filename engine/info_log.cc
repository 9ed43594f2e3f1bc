// Copyright (c) wtrocks authors.
#include "engine/info_log.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

namespace wtrocks::engine {
namespace {

// "2026/12/03-08:42:10.123456 7f3a2c1ff6c0 ": local time and the thread,
// as RocksDB's own LOG lines start, so tools and people read both alike.
std::string LinePrefix() {
  struct timeval now;
  gettimeofday(&now, nullptr);
  struct tm t;
  localtime_r(&now.tv_sec, &t);
  char buf[64];
  snprintf(buf, sizeof(buf), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %llx ",
           t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min,
           t.tm_sec, static_cast<long>(now.tv_usec),
           static_cast<unsigned long long>(pthread_self()));
  return buf;
}

}  // namespace

InfoLog::InfoLog(std::unique_ptr<rocksdb::FSWritableFile> file)
    : file_(std::move(file)) {}

InfoLog::~InfoLog() { Close().PermitUncheckedError(); }

void InfoLog::Logv(const char* format, va_list ap) {
  std::string line = LinePrefix();
  va_list again;
  va_copy(again, ap);
  char small[512];
  int n = vsnprintf(small, sizeof(small), format, ap);
  if (n >= static_cast<int>(sizeof(small))) {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    vsnprintf(big.data(), big.size(), format, again);
    big.resize(static_cast<size_t>(n));
    line += big;
  } else if (n > 0) {
    line.append(small, static_cast<size_t>(n));
  }
  va_end(again);
  if (line.empty() || line.back() != '\n') line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  WriteLocked(line);
}

void InfoLog::WriteLocked(const std::string& line) {
  if (!file_) return;  // closed
  const rocksdb::IOOptions io;
  if (lost_ > 0) {
    std::string note = LinePrefix() + "wtrocks: " + std::to_string(lost_) +
                       " info LOG line(s) before this one could not be "
                       "written: " +
                       lost_why_ + "\n";
    if (!file_->Append(note, io, nullptr).ok()) {
      ++lost_;
      return;
    }
    size_ += note.size();
    lost_ = 0;
    lost_why_.clear();
  }
  rocksdb::IOStatus s = file_->Append(line, io, nullptr);
  if (!s.ok()) {
    // Counted, not fatal: the next line tries again (a full disk may get
    // room back), and the database reports its own errors to its callers.
    if (lost_++ == 0) lost_why_ = s.ToString();
    s.PermitUncheckedError();
    return;
  }
  size_ += line.size();
}

size_t InfoLog::GetLogFileSize() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

void InfoLog::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_) file_->Flush(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
}

rocksdb::Status InfoLog::CloseImpl() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!file_) return rocksdb::Status::OK();
  rocksdb::IOStatus s = file_->Close(rocksdb::IOOptions(), nullptr);
  file_.reset();
  return s;
}

}  // namespace wtrocks::engine
