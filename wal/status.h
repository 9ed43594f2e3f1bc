// Copyright (c) wtrocks authors.
//
// Status: the result type of every wal/ call. wal/ does not depend on RocksDB,
// so it carries its own small status; engine/ maps it onto rocksdb::IOStatus
// (see engine/status_map.h).
#pragma once

#include <string>
#include <string_view>

namespace wtrocks::wal {

class Status {
 public:
  enum class Code {
    kOk,
    kIOError,       // a syscall or a completion failed; err() has the errno
    kNoSpace,       // ENOSPC / EDQUOT: RocksDB treats it as retryable NoSpace
    kNotSupported,  // a mode this file/filesystem/kernel cannot do
    kInvalidArgument,  // caller error (bad option, bad offset)
    kAborted,          // the file was closed with the request still pending
  };

  Status() = default;
  static Status OK() { return Status(); }
  // `err` is a positive errno. The sign of an io_uring result is flipped
  // exactly once, where a CQE becomes a Status (io_service.cc).
  static Status FromErrno(int err, std::string_view context);
  static Status NotSupported(std::string_view msg, int err = 0);
  static Status InvalidArgument(std::string_view msg);
  static Status Aborted(std::string_view msg);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNoSpace() const { return code_ == Code::kNoSpace; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  // Positive errno, or 0 when the status did not come from one.
  int err() const { return err_; }
  const std::string& message() const { return msg_; }
  std::string ToString() const;
  // The same status, its message prefixed with "`context`: ".
  Status WithContext(std::string_view context) const;

 private:
  Status(Code code, int err, std::string msg)
      : code_(code), err_(err), msg_(std::move(msg)) {}

  Code code_ = Code::kOk;
  int err_ = 0;
  std::string msg_;
};

// "ENOSPC" for 28, "E123" for unknown values.
const char* ErrnoName(int err);

}  // namespace wtrocks::wal
